import PostgresNIO
import SagaCore

/// The PostgreSQL store's ``SagaTransaction``: one open ``PostgresTransaction``.
///
/// A batch costs few waits for the server: ``prefetch(sagaIDs:)`` reads the batch's sagas in one
/// statement, ``load(sagaID:)`` answers from what was read and written since, and each commit's
/// saga change goes without waiting, its check deferred (see ``PostgresCommits``).
struct PostgresSagaTransaction: SagaTransaction {
    let transaction: PostgresTransaction
    /// The sagas read or written in this transaction (`nil`: read, and there is none).
    private let known = TransactionReads<SagaState>()

    init(transaction: PostgresTransaction) {
        self.transaction = transaction
    }

    /// Reads the instances `sagaIDs` in one statement for the ``load(sagaID:)`` calls that follow.
    func prefetch(sagaIDs: [String]) throws {
        let wanted = Array(Set(sagaIDs).subtracting(known.keys))
        guard !wanted.isEmpty else { return }
        let found = try transaction.query("SELECT * FROM saga_instance WHERE saga_id = ANY(\(wanted))").rows.map(PostgresRows.state)
        for sagaID in wanted { known.set(sagaID, found.first { $0.sagaID == sagaID }) }
    }

    /// Inserts `entries` into the inbox in one statement, sent without waiting: its answer (the
    /// entries that were new) is read with the next statement's, and each ``write(_:)`` of one
    /// of them answers from it instead of inserting its entry.
    func prerecord(inbox entries: [InboxEntry]) throws {
        try transaction.prerecorded.insert(entries, in: transaction)
    }

    /// The instance with id `sagaID`, or `nil`, as this transaction sees it.
    func load(sagaID: String) throws -> SagaState? {
        if let state = known.get(sagaID) { return state }
        let state = try transaction.query("SELECT * FROM saga_instance WHERE saga_id = \(sagaID)").rows.first.map(PostgresRows.state)
        known.set(sagaID, state)
        return state
    }

    /// Writes `commit` in this transaction; a saga that exists already, or a stale version, is
    /// found when the transaction reads its answers, and fails it then.
    func write(_ commit: SagaCommit) throws -> CommitResult {
        let result = try PostgresCommits.apply(commit, in: transaction, deferringChecks: true)
        if case .committed(let version?) = result, let sagaID = commit.sagaID {
            switch commit.saga {
            case .insert(var state), .update(var state):
                state.version = version
                known.set(sagaID, state)
            case nil:
                break
            }
        }
        return result
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
