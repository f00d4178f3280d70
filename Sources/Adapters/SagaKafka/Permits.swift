import Synchronization

/// A counting semaphore for async code that can be cancelled as a whole.
final class Permits: Sendable {
    private struct State {
        var available: Int
        var cancelled = false
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }

    /// Guards the count, the cancelled flag and the waiting continuations.
    private let state: Mutex<State>

    init(_ count: Int) { state = Mutex(State(available: max(1, count))) }

    /// Takes a permit, waiting for one if needed; `false` once ``cancel()`` was called.
    func acquire() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let resumeNow: Bool? = state.withLock { state in
                if state.cancelled { return false }
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return nil
            }
            if let resumeNow { continuation.resume(returning: resumeNow) }
        }
    }

    /// Returns a permit, waking one waiter.
    func release() {
        let waiter: CheckedContinuation<Bool, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: true)
    }

    /// How many tasks wait for a permit.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Wakes every waiter with `false`; later acquisitions fail at once.
    func cancel() {
        let waiters = state.withLock { state in
            state.cancelled = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }
}
