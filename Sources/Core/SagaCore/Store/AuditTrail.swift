import Foundation

/// One thing an operator did, as the audit trail keeps it: who, when, what, to which target, why
/// (the note) and how it ended. Written once, never changed.
public struct AuditEntry: Sendable, Hashable {
    /// Position in the trail (assigned by the store; 0 before it is recorded). Newer entries have larger ones.
    public var sequence: Int64
    /// The entry's id (a UUID), also the `message-id` of its audit-topic message.
    public var id: String
    /// When it happened.
    public var at: Date
    /// Who did it: the bearer token's holder (`anonymous` with authentication disabled).
    public var actor: String
    /// The holder's role (`operator`), if known.
    public var role: String?
    /// What was done (``AuditAction``).
    public var action: AuditAction
    /// What it was done to: a saga id, or a dead letter's id (`<dlq topic>:<partition>:<offset>`).
    public var target: String
    /// Why, in the operator's words (required for resolve).
    public var note: String?
    /// How it ended (``AuditOutcome``).
    public var outcome: AuditOutcome
    /// What the outcome means in words (`the saga is running again`, the error of a failure).
    public var detail: String?

    /// Creates an entry (``sequence`` is assigned when it is recorded).
    public init(
        id: String = UUID().uuidString.lowercased(), at: Date = Date(), actor: String, role: String?, action: AuditAction,
        target: String, note: String?, outcome: AuditOutcome, detail: String?, sequence: Int64 = 0
    ) {
        self.sequence = sequence
        self.id = id
        self.at = at
        self.actor = actor
        self.role = role
        self.action = action
        self.target = target
        self.note = note
        self.outcome = outcome
        self.detail = detail
    }
}

/// What an operator did.
public enum AuditAction: String, Sendable, Hashable, CaseIterable {
    /// Asked a parked saga to try its stuck request again.
    case sagaRetry = "saga.retry"
    /// Declared a parked saga's stuck step done by hand.
    case sagaResolve = "saga.resolve"
    /// Re-published a dead letter to its original topic.
    case dlqReplay = "dlq.replay"
    /// Re-published a dead letter with a corrected value.
    case dlqEditAndReplay = "dlq.edit-and-replay"
}

/// How an operator's action ended.
public enum AuditOutcome: String, Sendable, Hashable, CaseIterable {
    /// It took effect.
    case applied
    /// It was accepted but changed nothing (the saga was not parked).
    case ignored
    /// It was refused or failed (no such saga, a store error); ``AuditEntry/detail`` says why.
    case failed
}

/// Where operators' actions are kept: a trail that is only appended to, listed newest first, each
/// entry published to the audit topic through the same store's outbox (so an entry is recorded
/// and published, or neither).
public protocol AuditTrail: Sendable {
    /// Appends `entry` and, in the same transaction, `message` (its audit-topic record) to the
    /// outbox; returns the entry with its sequence.
    func recordAudit(_ entry: AuditEntry, message: OutgoingMessage?) async throws(SagaStoreError) -> AuditEntry
    /// At most `limit` entries older than sequence `before` (all when nil), newest first;
    /// with `target`, only those about it.
    func auditEntries(before: Int64?, target: String?, limit: Int) async throws(SagaStoreError) -> [AuditEntry]
    /// The entry with `id` as recorded (with its sequence), or `nil`.
    func auditEntry(id: String) async throws(SagaStoreError) -> AuditEntry?
}

/// An audit entry to write with the change it records (``SagaCommit/audit``), and its
/// audit-topic record for the same transaction's outbox: an operator's action and its entry
/// are committed together, or neither is.
public struct AuditWrite: Sendable, Hashable {
    /// The entry (its ``AuditEntry/sequence`` is assigned when written).
    public var entry: AuditEntry
    /// Its record on the audit topic, if the trail is published.
    public var message: OutgoingMessage?

    /// Creates an audit write.
    public init(entry: AuditEntry, message: OutgoingMessage?) {
        self.entry = entry
        self.message = message
    }
}
