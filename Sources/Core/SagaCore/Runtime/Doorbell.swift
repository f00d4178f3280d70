import Foundation

/// Wakes one waiting loop when there is new work, without polling: ``ring()`` never blocks,
/// and a ring while nobody waits is kept for the next ``wait(until:)``.
public actor Doorbell {
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?

    /// Creates a doorbell.
    public init() {}

    /// Whether a task waits for a ring.
    var hasWaiter: Bool { waiter != nil }

    /// Signals new work.
    public func ring() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            rung = true
        }
    }

    /// Returns when rung, when `deadline` passes (if given), or when the task is cancelled.
    public func wait(until deadline: Date? = nil) async {
        if rung {
            rung = false
            return
        }
        await withTaskGroup(of: Void.self) { group in
            if let deadline {
                group.addTask {
                    let seconds = max(0, deadline.timeIntervalSinceNow)
                    do {
                        try await Task.sleep(for: .seconds(seconds))
                    } catch {
                        // Task.sleep throws only CancellationError: a ring won the race, as intended.
                    }
                }
            }
            group.addTask { await self.waitForRing() }
            await group.next()
            group.cancelAll()
            self.cancelWaiter()
        }
        rung = false
    }

    private func waitForRing() async {
        if rung { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if rung || Task.isCancelled {
                    continuation.resume()
                } else {
                    waiter = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter() }
        }
    }

    private func cancelWaiter() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        }
    }
}
