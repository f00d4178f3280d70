import Foundation
import Logging

/// Fires durable saga timers (reply timeouts, retry backoffs) when they fall due.
///
/// Deadlines live in the store, so they fire after a restart. The loop sleeps exactly until
/// the earliest deadline and is woken early (through ``TimerSchedule``) only when a commit sets
/// an earlier timer; there is no fixed-interval polling. A timer whose saga cannot be
/// processed (e.g. its definition is not registered) is logged and retried after
/// ``failureBackoff`` rather than in a tight loop.
public struct SagaTimerService: Sendable {
    /// The orchestrator whose timers to fire.
    public let orchestrator: SagaOrchestrator
    /// How long to wait before retrying timers that failed.
    public var failureBackoff: Duration
    private let logger: Logger

    /// Creates a timer service.
    public init(orchestrator: SagaOrchestrator, failureBackoff: Duration = .seconds(1), logger: Logger = Logger(label: "saga.timers")) {
        self.orchestrator = orchestrator
        self.failureBackoff = failureBackoff
        self.logger = logger
    }

    /// Runs until the task is cancelled. Store failures are logged and retried after ``failureBackoff``.
    public func run() async {
        while !Task.isCancelled {
            var wakeAt: Date?
            do {
                let (_, failures) = try await orchestrator.fireDueTimers(now: Date())
                for failure in failures where !Task.isCancelled {
                    logger.error("timer could not fire", metadata: ["saga": "\(failure.sagaID)", "error": "\(failure.error)"])
                }
                wakeAt = try await orchestrator.store.nextDeadline()
                if !failures.isEmpty {
                    let retryAt = Date().addingTimeInterval(failureBackoff.timeInterval)
                    wakeAt = max(wakeAt ?? retryAt, retryAt)
                }
            } catch {
                if Task.isCancelled { return }
                logger.error("timer pass failed", metadata: ["error": "\(error)"])
                wakeAt = Date().addingTimeInterval(failureBackoff.timeInterval)
            }
            await orchestrator.timers.sleep(until: wakeAt)
        }
    }
}
