import Foundation
import SagaCore

extension SagaScenario {
    /// Lets `duration` pass on the virtual clock. Every timer that falls due meanwhile fires at its
    /// due time, in order, as the timer service would: reply timeouts, then the backoffs they start,
    /// then the timeouts of the attempts those send, and so on. Returns the transitions they caused.
    @discardableResult
    public mutating func advance(by duration: Duration) throws -> [SagaTransition] {
        let target = now.addingTimeInterval(duration.timeInterval)
        var fired: [SagaTransition] = []
        while let deadline = state.deadline, deadline <= target {
            guard fired.count < 10_000 else { throw SagaScenarioError.timersDidNotSettle(firings: fired.count) }
            fired.append(try apply(.deadlineReached, at: max(deadline, now)))
        }
        now = max(now, target)
        return fired
    }

    /// Moves the clock to the saga's timer and fires it, whatever it is for.
    @discardableResult
    public mutating func advanceToDeadline() throws -> SagaTransition {
        guard let deadline = state.deadline else { throw SagaScenarioError.noDeadline }
        return try apply(.deadlineReached, at: max(deadline, now))
    }

    /// Lets `step`'s reply timeout pass: the clock moves to its deadline and the timer fires (the
    /// step is then retried after a backoff, compensated, or parked, as its policy says).
    @discardableResult
    public mutating func timeOut(_ step: String) throws -> SagaTransition {
        guard pendingStep == step else { throw SagaScenarioError.notPending(step: step, pending: pendingStep) }
        guard state.deadlineKind == .replyTimeout else {
            throw SagaScenarioError.unexpectedDeadline(expected: .replyTimeout, actual: state.deadlineKind)
        }
        return try advanceToDeadline()
    }

    /// Lets the retry backoff of `step` pass: the clock moves to its end and the step (or its
    /// compensation) is sent again.
    @discardableResult
    public mutating func retryAfterBackoff(_ step: String) throws -> SagaTransition {
        guard state.deadlineKind == .retryBackoff else {
            throw SagaScenarioError.unexpectedDeadline(expected: .retryBackoff, actual: state.deadlineKind)
        }
        guard currentStep == step else { throw SagaScenarioError.notPending(step: step, pending: currentStep) }
        return try advanceToDeadline()
    }
}
