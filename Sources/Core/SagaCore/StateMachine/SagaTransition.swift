import Foundation

/// Something that happens to a running saga.
public enum SagaEvent: Sendable, Hashable {
    /// A participant answered.
    case reply(StepReply)
    /// The saga's timer is due (the state machine checks the deadline itself).
    case deadlineReached
    /// An operator asks a parked saga to try its stuck request again, with a fresh retry budget.
    case retry
    /// An operator declares the stuck step done by hand (e.g. refunded manually); the saga goes on.
    case resolve(note: String)
}

/// The kinds of lifecycle event published for outside observers.
public enum SagaLifecycleKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A saga instance was created.
    case started
    /// A step (or, in the compensation phase, a compensation) succeeded.
    case stepCompleted
    /// An attempt at a step failed (see ``SagaLifecycleEvent/willRetry``).
    case stepFailed
    /// The saga began undoing its completed steps.
    case compensating
    /// Every step succeeded.
    case completed
    /// Every completed step was undone.
    case compensated
    /// The saga was parked for a person.
    case failed
}

/// A lifecycle event: what happened, to which saga, at which step, why.
public struct SagaLifecycleEvent: Sendable, Hashable {
    /// The event's own message id (a UUID derived from the saga, its version and the event's position).
    public var eventID: String
    /// The id of the message that caused it (the reply, the start event), if any.
    public var causationID: String?
    /// What happened.
    public var kind: SagaLifecycleKind
    /// The saga instance.
    public var sagaID: String
    /// The definition name.
    public var sagaType: String
    /// The definition version.
    public var definitionVersion: Int
    /// The step concerned, if any.
    public var step: String?
    /// The phase the event happened in.
    public var phase: SagaPhase
    /// The failure reason, for failures.
    public var reason: String?
    /// For step events: the attempt (1-based).
    public var attempt: Int?
    /// For step events: how the attempt ended.
    public var outcome: StepOutcome?
    /// For ``SagaLifecycleKind/stepFailed``: whether the step will be tried again.
    public var willRetry: Bool
    /// For a failure that will be retried: when.
    public var retryAt: Date?
    /// A machine-readable failure code: `TIMEOUT`, `UNAVAILABLE` (retriable failure),
    /// `BUSINESS_FAILURE`, `COMMAND_FAILED`, or `MANUAL` for operator resolutions.
    public var failureCode: String?
    /// For ``SagaLifecycleKind/stepCompleted``: milliseconds from the step's first attempt to its success.
    public var stepDurationMilliseconds: Int64?
    /// For ``SagaLifecycleKind/compensating``: the steps that will be compensated, in the order they will be.
    public var compensations: [String]
    /// When the saga was started.
    public var sagaStartedAt: Date
    /// When it happened.
    public var at: Date
}

/// How one request attempt ended.
public enum StepOutcome: String, Sendable, Hashable, Codable {
    /// The participant succeeded.
    case succeeded
    /// The participant refused for a business reason.
    case businessFailure
    /// The participant failed transiently.
    case retriableFailure
    /// No reply came before the timeout.
    case timedOut
    /// An operator declared it done by hand.
    case manuallyResolved
    /// The command could not be built from the saga data.
    case commandFailed
}

/// A change to the per-step history the store keeps (one row per request).
public enum StepHistoryChange: Sendable, Hashable {
    /// A request was sent (`sequence` numbers the saga's requests; `requestID` is the command's message id).
    /// `uncertain` marks a compensation of a step whose outcome was unknown (it timed out or
    /// failed retriably for good), undone as possibly done.
    /// `item` is the item's index for a step over a list.
    case started(
        sequence: Int, requestID: String, phase: SagaPhase, stepIndex: Int, stepName: String, attempt: Int, at: Date,
        uncertain: Bool = false, item: Int? = nil
    )
    /// Request number `sequence` ended.
    case finished(sequence: Int, outcome: StepOutcome, error: String?, at: Date)
    /// A reply arrived for a request that had already ended (e.g. timed out): recorded, not acted on.
    /// `requestID` is the reply's causation id, `replyID` its own message id.
    case lateReply(requestID: String, status: ReplyStatus, replyID: String, at: Date)
}

/// Why an event did not change the saga.
public enum IgnoredReason: Sendable, Hashable {
    /// The reply answers a request that is no longer awaited (timed out, retried, or saga ended).
    case lateReply
    /// The saga's timer is not due (a stale wake-up).
    case deadlineNotDue
    /// An operator command for a saga that is not parked.
    case notParked(SagaStatus)
}

/// The result of feeding an event to a saga: the new state and what to do about it. The
/// runtime writes all of it in one local transaction.
public struct SagaTransition: Sendable {
    /// The state after the event (its ``SagaState/version`` is the one read; the store bumps it).
    public var state: SagaState
    /// Commands to publish, in order.
    public var commands: [OutgoingMessage] = []
    /// Lifecycle events to publish, in order.
    public var lifecycle: [SagaLifecycleEvent] = []
    /// History rows to write.
    public var history: [StepHistoryChange] = []
    /// Set when the event was recorded but did not change the saga.
    public var ignored: IgnoredReason?

    /// Whether the saga state changed.
    public var changedState: Bool { ignored == nil }
}

/// The deterministic inputs of a transition besides state and event.
public struct TransitionEnvironment: Sendable {
    /// The current time.
    public var now: Date
    /// A random number in `0..<1` for retry jitter.
    public var random: Double

    /// Creates an environment.
    public init(now: Date, random: Double) {
        self.now = now
        self.random = random
    }

    /// The current time and a fresh random number.
    public static func live() -> TransitionEnvironment {
        TransitionEnvironment(now: Date(), random: Double.random(in: 0..<1))
    }
}

/// An event could not be applied to a saga.
public enum SagaTransitionError: Error, Hashable, CustomStringConvertible {
    /// The instance was started under a definition this process does not have.
    case unknownDefinition(sagaType: String, version: Int)
    /// The saga data could not be decoded.
    case undecodableData(sagaID: String, error: String)
    /// The saga data could not be encoded after a step updated it.
    case unencodableData(sagaID: String, error: String)
    /// A step's reply interpreter threw (e.g. an undecodable payload): the reply is poison.
    case replyRejected(sagaID: String, step: String, messageID: String, error: String)
    /// The saga is in a state that does not match its definition (e.g. a step index out of range).
    case corruptState(sagaID: String, detail: String)

    /// A readable description.
    public var description: String {
        switch self {
        case .unknownDefinition(let type, let version): "no definition of saga '\(type)' version \(version) is registered"
        case .undecodableData(let id, let error): "saga \(id): saga data cannot be decoded: \(error)"
        case .unencodableData(let id, let error): "saga \(id): saga data cannot be encoded: \(error)"
        case .replyRejected(let id, let step, let messageID, let error):
            "saga \(id): reply \(messageID) to step '\(step)' was rejected: \(error)"
        case .corruptState(let id, let detail): "saga \(id): state does not match its definition: \(detail)"
        }
    }
}
