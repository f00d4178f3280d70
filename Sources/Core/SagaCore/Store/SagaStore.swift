import Foundation

/// Durable state of the saga engine: instances, their step history, the transactional outbox,
/// the inbox that deduplicates consumed messages, durable timers and DLQ replay records.
///
/// Every mutation of a saga goes through ``commit(_:)``, which writes the inbox entry, the new
/// state (checked against its optimistic version), the history, the timeline and the outbox rows in **one**
/// local transaction: a rolled-back transaction leaves no outbox row, and a committed one keeps
/// its outbox rows until the relay has a delivery report for them. ``SQLiteSagaStore`` is the
/// embedded default; a PostgreSQL store can implement this protocol for several orchestrator
/// instances sharing one database.
public protocol SagaStore: Sendable {
    /// The instance with id `sagaID`, or `nil`.
    func load(sagaID: String) async throws(SagaStoreError) -> SagaState?
    /// Applies `commit` atomically (see ``SagaCommit``).
    func commit(_ commit: SagaCommit) async throws(SagaStoreError) -> CommitResult
    /// Runs `body` in one write transaction and commits it (see ``SagaTransaction``): the
    /// orchestrator processes a batch of consumed messages in it. An error thrown by `body`
    /// rolls everything back and is rethrown as it is; a failure of the database itself is thrown
    /// as a ``SagaStoreError`` naming `operation`.
    func batch<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (any SagaTransaction) throws -> Result
    ) async throws -> Result
    /// Whether `messageID` was already processed by `consumer`.
    func isProcessed(consumer: String, messageID: String) async throws(SagaStoreError) -> Bool
    /// The per-request history of a saga, oldest first.
    func history(sagaID: String) async throws(SagaStoreError) -> [StepAttemptRecord]
    /// Instances in `status`, oldest first.
    func sagas(status: SagaStatus, limit: Int) async throws(SagaStoreError) -> [SagaState]
    /// The number of instances per status.
    func countByStatus() async throws(SagaStoreError) -> [SagaStatus: Int]

    /// The earliest timer deadline of any instance, or `nil` when no timer is set.
    func nextDeadline() async throws(SagaStoreError) -> Date?
    /// Instances whose deadline is at or before `now`, earliest first.
    func dueSagas(now: Date, limit: Int) async throws(SagaStoreError) -> [SagaState]

    /// Outbox rows not yet published, in write order.
    func pendingOutbox(limit: Int) async throws(SagaStoreError) -> [OutboxRecord]
    /// Outbox rows not yet published, in write order, but for `excluded` (the rows the relay has
    /// in flight): up to `limit` others. A store reads past the excluded rows without returning
    /// (or, with claims, claiming again) each of them; the default reads them and drops them.
    func pendingOutbox(limit: Int, excluding excluded: Set<Int64>) async throws(SagaStoreError) -> [OutboxRecord]
    /// Marks outbox rows published (after their delivery reports).
    func markPublished(_ ids: [Int64], at: Date) async throws(SagaStoreError)
    /// Deletes up to `limit` of each kind of expired row — published outbox rows, inbox entries
    /// and participants' stored replies older than `date` — oldest first, in one short
    /// transaction; returns how many. Call it again until it returns 0
    /// (``purgeExpired(before:batch:)`` does), so a large backlog never becomes one long
    /// transaction that holds back the sagas' writes.
    func purge(before date: Date, limit: Int) async throws(SagaStoreError) -> Int
    /// Removes up to `limit` finished sagas (``SagaStatus/completed`` or ``SagaStatus/compensated``)
    /// that started and last changed before `date`, oldest first, in one short transaction:
    /// their instance, step history and timeline rows go, and a ``SagaTombstone`` stays in their
    /// place, so that a later start of the same saga id is still refused (``CommitResult/sagaExists``)
    /// and its outcome can still be told. Parked and running sagas are never removed. Returns how
    /// many; call it again until it returns fewer than `limit`
    /// (``purgeFinished(startedBefore:batch:)`` does).
    func purgeFinished(startedBefore date: Date, limit: Int) async throws(SagaStoreError) -> Int
    /// What is kept of saga `sagaID` after ``purgeFinished(startedBefore:limit:)`` removed it, or `nil`.
    func tombstone(sagaID: String) async throws(SagaStoreError) -> SagaTombstone?

    /// Records a replay of a DLQ record; refuses a second replay of the same record unless `force`.
    func beginReplay(_ replay: ReplayRequest, force: Bool) async throws(SagaStoreError) -> ReplayRecord
    /// Records how a replay ended.
    func finishReplay(replayID: String, outcome: ReplayOutcome, detail: String?, at: Date) async throws(SagaStoreError)
    /// A replay record by id.
    func replay(id: String) async throws(SagaStoreError) -> ReplayRecord?
}

extension SagaStore {
    /// Reads `limit` + the excluded count of pending rows and drops the excluded ones.
    public func pendingOutbox(limit: Int, excluding excluded: Set<Int64>) async throws(SagaStoreError) -> [OutboxRecord] {
        guard !excluded.isEmpty else { return try await pendingOutbox(limit: limit) }
        return try await pendingOutbox(limit: limit + excluded.count).filter { !excluded.contains($0.id) }
    }
}

/// Identifies a consumed message for the inbox: which consumer processed which message.
public struct InboxEntry: Sendable, Hashable {
    /// The consumer (group and service) that processed it; dedup is per consumer.
    public var consumer: String
    /// The message id.
    public var messageID: String
    /// Where it came from (for operators).
    public var topic: String
    /// Its partition.
    public var partition: Int32
    /// Its offset.
    public var offset: Int64

    /// Creates an inbox entry.
    public init(consumer: String, messageID: String, topic: String, partition: Int32, offset: Int64) {
        self.consumer = consumer
        self.messageID = messageID
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

/// How a commit changes a saga instance.
public enum SagaWrite: Sendable {
    /// Creates an instance; if the id exists already the whole commit is dropped (idempotent start).
    case insert(SagaState)
    /// Replaces an instance whose stored version is still `state.version`; the stored version becomes `state.version + 1`.
    case update(SagaState)
}

/// Everything one processed event writes, atomically.
public struct SagaCommit: Sendable {
    /// The consumed message, recorded so it is never processed twice (`nil` for timers and API calls).
    public var inbox: InboxEntry?
    /// The saga change, if any.
    public var saga: SagaWrite?
    /// The saga the history rows belong to.
    public var sagaID: String?
    /// History changes.
    public var history: [StepHistoryChange]
    /// Messages to publish after commit.
    public var outbox: [OutgoingMessage]
    /// Entries of the saga's timeline (``SagaTimelineEntry``): the messages this change sent,
    /// received or emitted, written in the same transaction (with ``sagaID``).
    public var timeline: [SagaTimelineEntry]
    /// The audit entry of the operator's action that made this change, written in the same
    /// transaction (stores that are an ``AuditTrail``).
    public var audit: AuditWrite?

    /// Creates a commit.
    public init(
        inbox: InboxEntry? = nil, saga: SagaWrite? = nil, sagaID: String? = nil,
        history: [StepHistoryChange] = [], outbox: [OutgoingMessage] = [], timeline: [SagaTimelineEntry] = [],
        audit: AuditWrite? = nil
    ) {
        self.timeline = timeline
        self.audit = audit
        self.inbox = inbox
        self.saga = saga
        self.sagaID = sagaID
        self.history = history
        self.outbox = outbox
    }
}

/// What a commit did.
public enum CommitResult: Sendable, Hashable {
    /// Written; the saga's new version, if a saga was written.
    case committed(version: Int64?)
    /// The inbox already had the message: nothing was written.
    case duplicateMessage
    /// An insert found the saga id taken: nothing was written.
    case sagaExists
}

/// One outbox row waiting for (or past) publication.
public struct OutboxRecord: Sendable, Hashable {
    /// Write order; the relay publishes in this order.
    public var id: Int64
    /// The message.
    public var message: OutgoingMessage
    /// When it was written.
    public var createdAt: Date

    /// Creates a value from its parts.
    public init(id: Int64, message: OutgoingMessage, createdAt: Date) {
        self.id = id
        self.message = message
        self.createdAt = createdAt
    }
}

/// One request of a saga as the history keeps it.
public struct StepAttemptRecord: Sendable, Hashable {
    /// The saga's request number.
    public var sequence: Int
    /// The command's message id.
    public var requestID: String
    /// Forward or compensation.
    public var phase: SagaPhase
    /// The step index.
    public var stepIndex: Int
    /// The step name.
    public var stepName: String
    /// The attempt number.
    public var attempt: Int
    /// When the command was written.
    public var startedAt: Date
    /// When the attempt ended, if it has.
    public var finishedAt: Date?
    /// How it ended.
    public var outcome: StepOutcome?
    /// The error or reason, if any.
    public var error: String?
    /// The last reply that arrived after the attempt had ended, if any.
    public var lateReply: LateReply?
    /// Whether this is a compensation of a step whose outcome was uncertain (it timed out or
    /// failed retriably for good), undone as possibly done.
    public var compensatesUncertainStep = false
    /// For a step over a list: the index of the item the request was for.
    public var item: Int?

    /// Creates a value from its parts.
    public init(sequence: Int, requestID: String, phase: SagaPhase, stepIndex: Int, stepName: String, attempt: Int, startedAt: Date, finishedAt: Date? = nil, outcome: StepOutcome? = nil, error: String? = nil, lateReply: LateReply? = nil, compensatesUncertainStep: Bool = false, item: Int? = nil) {
        self.item = item
        self.sequence = sequence
        self.requestID = requestID
        self.phase = phase
        self.stepIndex = stepIndex
        self.stepName = stepName
        self.attempt = attempt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.error = error
        self.lateReply = lateReply
        self.compensatesUncertainStep = compensatesUncertainStep
    }
}

/// A reply recorded after its request had already ended.
public struct LateReply: Sendable, Hashable {
    /// What the participant answered.
    public var status: ReplyStatus
    /// The reply's message id.
    public var replyID: String
    /// When it arrived.
    public var at: Date

    /// Creates a value from its parts.
    public init(status: ReplyStatus, replyID: String, at: Date) {
        self.status = status
        self.replyID = replyID
        self.at = at
    }
}

/// A request to re-publish a dead-lettered record to its original topic.
public struct ReplayRequest: Sendable, Hashable {
    /// The replay's id (sent in the replay-id header).
    public var replayID: String
    /// The DLQ topic.
    public var dlqTopic: String
    /// The DLQ partition.
    public var dlqPartition: Int32
    /// The DLQ offset.
    public var dlqOffset: Int64
    /// The topic the record is re-published to.
    public var originalTopic: String
    /// When the replay was asked for.
    public var requestedAt: Date

    /// Creates a replay request.
    public init(replayID: String, dlqTopic: String, dlqPartition: Int32, dlqOffset: Int64, originalTopic: String, requestedAt: Date) {
        self.replayID = replayID
        self.dlqTopic = dlqTopic
        self.dlqPartition = dlqPartition
        self.dlqOffset = dlqOffset
        self.originalTopic = originalTopic
        self.requestedAt = requestedAt
    }
}

/// How a replay ended.
public enum ReplayOutcome: String, Sendable, Hashable, Codable {
    /// Re-published; no outcome seen yet.
    case pending
    /// The replayed message was processed.
    case succeeded
    /// The replayed message failed again and went back to the DLQ.
    case deadLetteredAgain
    /// The replay could not be published; it does not count as a replay of its DLQ record.
    case notPublished
}

/// A recorded replay.
public struct ReplayRecord: Sendable, Hashable {
    /// The request.
    public var request: ReplayRequest
    /// Whether it was forced past an earlier replay.
    public var forced: Bool
    /// Its outcome so far.
    public var outcome: ReplayOutcome
    /// Detail of the outcome (the new error, for a dead-lettered-again replay).
    public var detail: String?
    /// When the outcome was recorded.
    public var outcomeAt: Date?

    /// Creates a value from its parts.
    public init(request: ReplayRequest, forced: Bool, outcome: ReplayOutcome, detail: String? = nil, outcomeAt: Date? = nil) {
        self.request = request
        self.forced = forced
        self.outcome = outcome
        self.detail = detail
        self.outcomeAt = outcomeAt
    }
}

/// A store operation failed.
public enum SagaStoreError: Error, CustomStringConvertible {
    /// An update found another version than the one it read: someone else changed the saga first.
    case versionConflict(sagaID: String, expected: Int64)
    /// The same DLQ record was replayed before (and `force` was not set).
    case alreadyReplayed(dlqTopic: String, partition: Int32, offset: Int64, previousReplayID: String)
    /// A stored row could not be read back (unknown enum value, bad encoding).
    case corruptRow(table: String, key: String, detail: String)
    /// The database failed.
    case database(operation: String, underlying: String)
    /// The calling task was cancelled before the operation ran (nothing was written).
    case cancelled(operation: String)

    /// Whether the store itself failed (``database(operation:underlying:)``: unreachable, closed,
    /// or refusing the statement; ``cancelled(operation:)``) rather than the data: nothing was
    /// written, and the same operation succeeds once the database answers again. A consumer
    /// retries such a message until then instead of dead-lettering it.
    public var isStoreFailure: Bool {
        switch self {
        case .database, .cancelled: true
        case .versionConflict, .alreadyReplayed, .corruptRow: false
        }
    }

    /// A readable description.
    public var description: String {
        switch self {
        case .versionConflict(let id, let expected):
            "saga \(id) changed concurrently: expected version \(expected) is no longer current"
        case .alreadyReplayed(let topic, let partition, let offset, let previous):
            "DLQ record \(topic)/\(partition)@\(offset) was already replayed (replay \(previous)); force to replay again"
        case .corruptRow(let table, let key, let detail): "row \(key) of \(table) cannot be read: \(detail)"
        case .database(let operation, let underlying): "store operation '\(operation)' failed: \(underlying)"
        case .cancelled(let operation): "store operation '\(operation)' was cancelled"
        }
    }
}
