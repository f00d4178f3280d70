import PostgresNIO
import SagaCore

/// The PostgreSQL store's ``SagaTransaction``: one open ``PostgresTransaction``.
struct PostgresSagaTransaction: SagaTransaction {
    let transaction: PostgresTransaction

    /// The instance with id `sagaID`, or `nil`, as this transaction sees it.
    func load(sagaID: String) throws -> SagaState? {
        try transaction.query("SELECT * FROM saga_instance WHERE saga_id = \(sagaID)").rows.first.map(PostgresRows.state)
    }

    /// Writes `commit` in this transaction (``SagaExists`` or a version conflict is thrown).
    func write(_ commit: SagaCommit) throws -> CommitResult {
        try PostgresCommits.apply(commit, in: transaction)
    }
}

extension PostgresSagaStore {
    /// Runs `body` in one transaction on one of the store's blocking threads (see ``SagaStore/batch(_:_:)``).
    public func batch<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (any SagaTransaction) throws -> Result
    ) async throws -> Result {
        try await transaction(operation) { transaction in try body(PostgresSagaTransaction(transaction: transaction)) }
    }
}
