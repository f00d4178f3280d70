import Foundation
import PostgresNIO
import SagaCore

extension PostgresSagaStore {
    /// Removes up to `limit` completed and up to `limit` compensated sagas that started and last
    /// changed before `date`, oldest first (found through the status index), leaving a tombstone
    /// for each, in one short transaction; returns how many. Sagas another replica's purge or a
    /// commit holds are skipped, so replicas purging at once do not wait for each other.
    public func purgeFinished(startedBefore date: Date, limit: Int) async throws(SagaStoreError) -> Int {
        guard limit > 0 else { return 0 }
        let cutoff = date.timeIntervalSince1970
        let now = Date().timeIntervalSince1970
        let statuses = SagaStatus.allCases.filter(\.isTerminal).map(\.rawValue)
        return try await operation("purge finished sagas") { transaction in
            var removed = 0
            for status in statuses {
                // One status at a time: the status index then yields them oldest first and stops at `limit`.
                let ids = try transaction.query("""
                    WITH chosen AS (
                        SELECT saga_id FROM saga_instance
                        WHERE status = \(status) AND created_at < \(cutoff) AND updated_at < \(cutoff)
                        ORDER BY created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED),
                    kept AS (
                        INSERT INTO saga_tombstone (saga_id, saga_type, status, created_at, ended_at, removed_at)
                        SELECT saga_id, saga_type, status, created_at, updated_at, \(now) FROM saga_instance
                        WHERE saga_id IN (SELECT saga_id FROM chosen)
                        RETURNING saga_id)
                    SELECT saga_id FROM kept
                    """).rows.map { try PostgresRowReader(row: $0, table: "saga_tombstone", key: "?")("saga_id", String.self) }
                guard !ids.isEmpty else { continue }
                try transaction.query("DELETE FROM saga_step_history WHERE saga_id = ANY(\(ids))")
                try transaction.query("DELETE FROM saga_timeline WHERE saga_id = ANY(\(ids))")
                try transaction.query("DELETE FROM saga_instance WHERE saga_id = ANY(\(ids))")
                removed += ids.count
            }
            return removed
        }
    }

    /// The tombstone of removed saga `sagaID`, or `nil`.
    public func tombstone(sagaID: String) async throws(SagaStoreError) -> SagaTombstone? {
        try await operation("tombstone of \(sagaID)", transactional: false) { transaction in
            guard let row = try transaction.query("""
                SELECT saga_id, saga_type, status, created_at, ended_at, removed_at FROM saga_tombstone WHERE saga_id = \(sagaID)
                """).rows.first
            else { return nil }
            let read = PostgresRowReader(row: row, table: "saga_tombstone", key: sagaID)
            return SagaTombstone(
                sagaID: try read("saga_id", String.self), sagaType: try read("saga_type", String.self),
                status: try read.value("status", SagaStatus.self),
                startedAt: Date(timeIntervalSince1970: try read("created_at", Double.self)),
                endedAt: Date(timeIntervalSince1970: try read("ended_at", Double.self)),
                removedAt: Date(timeIntervalSince1970: try read("removed_at", Double.self)))
        }
    }
}
