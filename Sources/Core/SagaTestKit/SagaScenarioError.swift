import SagaCore

/// A ``SagaScenario`` was asked for something the saga has not done.
public enum SagaScenarioError: Error, Hashable, CustomStringConvertible {
    /// No command (or compensation) was sent for the step.
    case noCommandSent(step: String)
    /// The step is not the one awaiting a reply (or nothing is awaited).
    case notPending(step: String, pending: String?)
    /// The saga has no timer set.
    case noDeadline
    /// The saga's timer is for something else than asked.
    case unexpectedDeadline(expected: SagaDeadlineKind, actual: SagaDeadlineKind?)
    /// No reply was delivered yet, so there is none to deliver again.
    case noReplyDelivered
    /// The definition is not the one the stored state was started under.
    case definitionMismatch(expected: String, actual: String)
    /// A stored state of another saga was given to restart this one.
    case otherSaga(expected: String, actual: String)
    /// Timers kept firing without the clock reaching its target (a zero timeout retried forever?).
    case timersDidNotSettle(firings: Int)

    /// A readable description.
    public var description: String {
        switch self {
        case .noCommandSent(let step): "no command was sent for step '\(step)'"
        case .notPending(let step, let pending):
            "step '\(step)' is not awaiting a reply (\(pending.map { "'\($0)' is" } ?? "nothing is"))"
        case .noDeadline: "the saga has no timer set"
        case .unexpectedDeadline(let expected, let actual):
            "expected a \(expected.rawValue) timer, the saga has \(actual.map { "a \($0.rawValue) timer" } ?? "none")"
        case .noReplyDelivered: "no reply has been delivered yet"
        case .definitionMismatch(let expected, let actual):
            "the state was started under \(expected), the definition is \(actual)"
        case .otherSaga(let expected, let actual): "the stored state is saga \(actual)'s, not saga \(expected)'s"
        case .timersDidNotSettle(let firings): "timers fired \(firings) times without settling"
        }
    }
}
