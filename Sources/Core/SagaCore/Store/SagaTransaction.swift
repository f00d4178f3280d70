/// An open transaction of a ``SagaStore`` in which the orchestrator reads and changes sagas: what
/// ``SagaStore/batch(_:_:)`` hands its body, so that several consumed messages are processed and
/// committed together.
///
/// Reads see the writes made earlier in the same transaction. A commit that cannot be kept on
/// its own inside a larger transaction (an insert whose saga exists, a stale version) throws
/// instead of returning, and the whole transaction rolls back: its messages are then processed
/// one by one. A store may find this out later than ``write(_:)`` returns (PostgreSQL checks
/// when the transaction reads the server's answers, at the latest before it commits): the
/// transaction then fails as a whole all the same.
public protocol SagaTransaction {
    /// Reads the instances `sagaIDs` ahead of the ``load(sagaID:)`` calls that follow, where the
    /// store can read them together (one statement on PostgreSQL). Optional: the default does
    /// nothing.
    func prefetch(sagaIDs: [String]) throws
    /// Records the inbox entries of the commits that follow ahead of them, where the store can
    /// write them together (one statement on PostgreSQL, sent with the next read): each commit
    /// that carries one of these entries then finds it recorded, or is a
    /// ``CommitResult/duplicateMessage`` as ``write(_:)`` would find it. Every entry given must
    /// be written by a commit before the transaction ends. Optional: the default does nothing,
    /// and each commit records its own entry.
    func prerecord(inbox entries: [InboxEntry]) throws
    /// The instance with id `sagaID`, or `nil`.
    func load(sagaID: String) throws -> SagaState?
    /// Writes `commit` in this transaction: ``CommitResult/committed(version:)``, or
    /// ``CommitResult/duplicateMessage`` (nothing written). Throws where ``SagaStore/commit(_:)``
    /// would report ``CommitResult/sagaExists`` (``SagaExists``) or a version conflict.
    func write(_ commit: SagaCommit) throws -> CommitResult
}

extension SagaTransaction {
    /// Does nothing: ``load(sagaID:)`` reads each saga when asked.
    public func prefetch(sagaIDs: [String]) throws {}

    /// Does nothing: each commit records its own inbox entry.
    public func prerecord(inbox entries: [InboxEntry]) throws {}
}

/// Thrown inside a store's transaction when a commit starts a saga whose id is taken (or was
/// used by a saga removed since): the transaction rolls back, and ``SagaStore/commit(_:)``
/// reports ``CommitResult/sagaExists``. The stores throw it, so that a batch's transaction
/// (``SagaTransaction``) fails as a whole.
public struct SagaExists: Error, Sendable {
    /// Creates the error.
    public init() {}
}
