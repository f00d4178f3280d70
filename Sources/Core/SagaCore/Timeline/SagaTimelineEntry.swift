import Foundation

/// What a timeline entry records.
public enum SagaTimelineKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A forward command the saga sent to a participant.
    case command
    /// A participant's reply the orchestrator processed.
    case reply
    /// A timer of the saga fired (a reply timeout, or the end of a retry backoff).
    case timer
    /// A compensation command the saga sent.
    case compensation
    /// A lifecycle event the saga emitted on the saga-events topic.
    case lifecycle
    /// An operator's action on the saga (from the audit trail).
    case `operator`
}

/// One message of a saga's timeline: a command it sent, a reply it processed, a timer that fired,
/// a lifecycle event it emitted, or an operator's action. The orchestrator writes these in the
/// same store transaction as the state change that caused them (``SagaCommit/timeline``).
public struct SagaTimelineEntry: Sendable, Hashable {
    /// Position in the saga's timeline (assigned by the store; 0 before it is recorded).
    public var sequence: Int64
    /// When it happened (the time of the transition that wrote it).
    public var at: Date
    /// What it is.
    public var kind: SagaTimelineKind
    /// The step concerned, if any.
    public var step: String?
    /// The attempt (1-based), if any.
    public var attempt: Int?
    /// For a step over a list: the item's index.
    public var item: Int?
    /// The topic the message went to or came from, if it was a message.
    public var topic: String?
    /// The payload's wire type name (an Avro full name), or an audit action for an operator's entry.
    public var messageType: String?
    /// The message's own id (the command's, the reply's, the event's; the audit entry's).
    public var messageID: String?
    /// For a reply: the id of the command it answers.
    public var causationID: String?
    /// The encoded payload as sent or received (empty for a reply without one); `nil` when none
    /// was kept (timers, operator actions).
    public var payload: [UInt8]?
    /// How it ended: a reply's status, a timer's outcome, a lifecycle event's step outcome, an
    /// operator action's outcome.
    public var outcome: String?
    /// Words about it: a reply's reason, a lifecycle event's kind and reason, an operator's note.
    public var detail: String?

    /// Creates an entry (``sequence`` is assigned when it is recorded).
    public init(
        at: Date, kind: SagaTimelineKind, step: String? = nil, attempt: Int? = nil, item: Int? = nil, topic: String? = nil,
        messageType: String? = nil, messageID: String? = nil, causationID: String? = nil, payload: [UInt8]? = nil,
        outcome: String? = nil, detail: String? = nil, sequence: Int64 = 0
    ) {
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.step = step
        self.attempt = attempt
        self.item = item
        self.topic = topic
        self.messageType = messageType
        self.messageID = messageID
        self.causationID = causationID
        self.payload = payload
        self.outcome = outcome
        self.detail = detail
    }
}

/// Which messages the orchestrator keeps in its sagas' timelines (`SAGA_TIMELINE_MESSAGES`).
public enum SagaTimelineRetention: String, Sendable, Hashable, CaseIterable {
    /// Every command, reply, timer and lifecycle event, with its payload (the default).
    case all
    /// None: the timeline shows only the operators' actions.
    case none
}
