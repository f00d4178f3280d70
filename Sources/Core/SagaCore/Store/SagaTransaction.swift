/// An open transaction of a ``SagaStore`` in which the orchestrator reads and changes sagas: what
/// ``SagaStore/batch(_:_:)`` hands its body, so that several consumed messages are processed and
/// committed together.
///
/// Reads see the writes made earlier in the same transaction. A commit that cannot be kept on
/// its own inside a larger transaction (an insert whose saga exists, a stale version) throws
/// instead of returning, and the whole transaction rolls back: its messages are then processed
/// one by one.
public protocol SagaTransaction {
    /// The instance with id `sagaID`, or `nil`.
    func load(sagaID: String) throws -> SagaState?
    /// Writes `commit` in this transaction: ``CommitResult/committed(version:)``, or
    /// ``CommitResult/duplicateMessage`` (nothing written). Throws where ``SagaStore/commit(_:)``
    /// would report ``CommitResult/sagaExists`` or a version conflict.
    func write(_ commit: SagaCommit) throws -> CommitResult
}
