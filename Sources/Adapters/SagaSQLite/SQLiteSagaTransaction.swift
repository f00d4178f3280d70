import GRDB
import SagaCore

/// The SQLite store's ``SagaTransaction``: GRDB's open `Database` of one write transaction.
struct SQLiteSagaTransaction: SagaTransaction {
    let db: Database

    /// The instance with id `sagaID`, or `nil`, as this transaction sees it.
    func load(sagaID: String) throws -> SagaState? {
        try db.cachedRow(sql: "SELECT * FROM saga_instance WHERE saga_id = ?", arguments: [sagaID]).map(SQLiteRows.state)
    }

    /// Writes `commit` in this transaction (``SagaExists`` or a version conflict is thrown).
    func write(_ commit: SagaCommit) throws -> CommitResult {
        try SQLiteSagaStore.apply(commit, in: db)
    }
}

extension SQLiteSagaStore {
    /// Runs `body` in one write transaction of the pool (see ``SagaStore/batch(_:_:)``).
    public func batch<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (any SagaTransaction) throws -> Result
    ) async throws -> Result {
        try await transaction(operation) { db in try body(SQLiteSagaTransaction(db: db)) }
    }
}
