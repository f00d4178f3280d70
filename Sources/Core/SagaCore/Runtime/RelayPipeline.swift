import Synchronization

/// Which outbox rows the relay has in flight, so that it can send a new batch while earlier ones
/// await their delivery reports without ever sending two rows of one saga to one topic at once:
/// a row is taken only when no earlier row of its topic and key is in flight or held back.
final class RelayPipeline: Sendable {
    private typealias Lane = OutboxLane

    private struct State {
        var rows: Set<Int64> = []
        var lanes: Set<Lane> = []
        var batches = 0
        /// Bumped by every release: a list of pending rows read before it may hold rows that
        /// were published and released since.
        var releases = 0
    }

    private let state = Mutex(State())

    /// Batches taken and not yet released.
    var batchesInFlight: Int { state.withLock { $0.batches } }
    /// Rows taken and not yet released.
    var rowsInFlight: Set<Int64> { state.withLock { $0.rows } }
    /// Read before reading the pending rows, and given to ``take(_:limit:readAt:)``.
    var generation: Int { state.withLock { $0.releases } }

    /// From `pending` (in write order, read when ``generation`` was `readAt`), up to `limit` rows
    /// that may go now, marked in flight as one batch: rows not in flight whose lane has no
    /// earlier row in flight or held back. `nil` when a batch was released since the read: the
    /// list may hold rows already published, so read again.
    func take(_ pending: [OutboxRecord], limit: Int, readAt: Int) -> [OutboxRecord]? {
        state.withLock { state in
            guard state.releases == readAt else { return nil }
            var batch: [OutboxRecord] = []
            var held: Set<Lane> = []
            for row in pending where !state.rows.contains(row.id) {
                let lane = Lane(row.message)
                if state.lanes.contains(lane) || held.contains(lane) || batch.count >= limit {
                    held.insert(lane)
                    continue
                }
                batch.append(row)
            }
            guard !batch.isEmpty else { return [] }
            for row in batch {
                state.rows.insert(row.id)
                state.lanes.insert(Lane(row.message))
            }
            state.batches += 1
            return batch
        }
    }

    /// Releases a batch taken with ``take(_:limit:readAt:)``: its rows and lanes may go again.
    func release(_ batch: [OutboxRecord]) {
        state.withLock { state in
            for row in batch {
                state.rows.remove(row.id)
                state.lanes.remove(Lane(row.message))
            }
            state.batches -= 1
            state.releases += 1
        }
    }
}
