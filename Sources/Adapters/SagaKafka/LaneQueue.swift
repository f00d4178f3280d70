import Synchronization

/// The messages waiting for one lane of a ``PartitionedConsumption``: the fetcher appends, the
/// lane takes everything waiting (up to a batch) at once, so a lane that was busy catches up
/// in one batch instead of one message at a time.
final class LaneQueue<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var waiter: CheckedContinuation<[Element]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Adds `element`, waking the lane if it waits.
    func append(_ element: Element) {
        let waiter: CheckedContinuation<[Element]?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(element)
            return nil
        }
        waiter?.resume(returning: [element])
    }

    /// Ends the queue: the lane's next call returns `nil`; elements still waiting are dropped
    /// (their offsets were never stored, so they are delivered again).
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            state.buffer = []
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Up to `limit` waiting elements in order, waiting for one if none is; `nil` once finished
    /// or when the task is cancelled.
    func next(limit: Int) async -> [Element]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Element]?, Never>) in
                let ready: [Element]?? = state.withLock { state in
                    if state.finished || Task.isCancelled { return .some(nil) }
                    if !state.buffer.isEmpty {
                        let count = min(max(1, limit), state.buffer.count)
                        defer { state.buffer.removeFirst(count) }
                        return .some(Array(state.buffer.prefix(count)))
                    }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }
}
