import Foundation

/// Where a saga instance stands.
public enum SagaStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Running its steps forward.
    case running
    /// Undoing its completed compensatable steps in reverse order.
    case compensating
    /// Every step succeeded (terminal).
    case completed
    /// A step failed and every completed step was undone (terminal).
    case compensated
    /// Parked for a person: ``SagaState/failureReason`` says why. Can be retried or resolved.
    case failed

    /// Whether no further message can change the saga (parked sagas still accept operator commands).
    public var isTerminal: Bool { self == .completed || self == .compensated }
}

/// Which direction a saga is moving in.
public enum SagaPhase: String, Sendable, Hashable, Codable {
    /// Executing steps.
    case forward
    /// Executing compensations.
    case compensation
}

/// What the saga's single timer is for.
public enum SagaDeadlineKind: String, Sendable, Hashable, Codable {
    /// The reply to the pending request is overdue.
    case replyTimeout
    /// A backoff delay ended: send the request again.
    case retryBackoff
}

/// The durable state of one saga instance. The store persists it as is; the state machine
/// turns it plus an event into the next state.
public struct SagaState: Sendable, Hashable {
    /// The saga instance id (also the Kafka key of all its messages).
    public var sagaID: String
    /// The definition name.
    public var sagaType: String
    /// The definition version this instance runs under, until it ends.
    public var definitionVersion: Int
    /// Where the saga stands.
    public var status: SagaStatus
    /// Forward or compensating (kept while parked, to know what to retry).
    public var phase: SagaPhase
    /// The index of the step being executed or compensated.
    public var stepIndex: Int
    /// The attempt number of the current request (1-based), counted against the retry policy.
    public var attempt: Int
    /// Increases with every request sent; numbers the history rows and derives request ids.
    public var requestSequence: Int
    /// The message id of the request whose reply is awaited, if any (a reply's `causation-id`).
    public var pendingRequestID: String?
    /// When the first attempt of the current step (or compensation) was sent.
    public var stepStartedAt: Date?
    /// When the timer fires, if one is set.
    public var deadline: Date?
    /// What the timer is for.
    public var deadlineKind: SagaDeadlineKind?
    /// Indexes of compensatable steps that completed, in completion order (undo runs from the end).
    public var completedSteps: [Int]
    /// The compensatable step whose outcome is uncertain (its last attempt timed out or failed
    /// retriably, so its command may have taken effect), if the saga is compensating one: it
    /// is in ``completedSteps`` too, so it is undone first, as possibly done.
    public var uncertainStep: Int?
    /// For a step over a list in progress: where each item stands (`nil` for a single step).
    public var listProgress: ListProgress?
    /// The encoded saga data.
    public var data: [UInt8]
    /// Why the saga is compensating, compensated or parked.
    public var failureReason: String?
    /// Optimistic-lock version: the store increments it on every write and rejects stale writes.
    public var version: Int64
    /// When the instance was created.
    public var createdAt: Date
    /// When the instance last changed.
    public var updatedAt: Date
    /// When the request now awaited (or the last one) was sent: the start of its step latency and span.
    public var requestSentAt: Date?
    /// The W3C `traceparent` of the message that started the saga (or a fresh one), sent on
    /// every command and lifecycle event of the saga.
    public var traceParent: String?
    /// The W3C `tracestate` that came with ``traceParent``, if any.
    public var traceState: String?

    /// Creates a state (the store uses this when loading).
    public init(
        sagaID: String, sagaType: String, definitionVersion: Int, status: SagaStatus, phase: SagaPhase,
        stepIndex: Int, attempt: Int, requestSequence: Int, pendingRequestID: String?, stepStartedAt: Date? = nil,
        deadline: Date?, deadlineKind: SagaDeadlineKind?, completedSteps: [Int], uncertainStep: Int? = nil, listProgress: ListProgress? = nil, data: [UInt8],
        failureReason: String?, version: Int64, createdAt: Date, updatedAt: Date, requestSentAt: Date? = nil,
        traceParent: String? = nil, traceState: String? = nil
    ) {
        self.requestSentAt = requestSentAt
        self.traceParent = traceParent
        self.traceState = traceState
        self.sagaID = sagaID
        self.sagaType = sagaType
        self.definitionVersion = definitionVersion
        self.status = status
        self.phase = phase
        self.stepIndex = stepIndex
        self.attempt = attempt
        self.requestSequence = requestSequence
        self.pendingRequestID = pendingRequestID
        self.stepStartedAt = stepStartedAt
        self.deadline = deadline
        self.deadlineKind = deadlineKind
        self.completedSteps = completedSteps
        self.uncertainStep = uncertainStep
        self.listProgress = listProgress
        self.data = data
        self.failureReason = failureReason
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension SagaState {
    /// The message id of request number `sequence` of saga `sagaID`: a UUID derived from both,
    /// so that recomputing a transition yields the same id.
    public static func requestID(sagaID: String, sequence: Int) -> String {
        DeterministicUUID.make("\(sagaID)/request/\(sequence)")
    }
}
