import Foundation
import GRDB
import Logging
import SagaCore
import SagaPostgres
import SagaSQLite

/// A participant service's database: the engine's store (inbox, outbox, remembered replies)
/// and the service's own tables, on SQLite (one file) or PostgreSQL (a schema of a shared
/// database, for several replicas of the service). Its transactions are ``ServiceTransaction``s,
/// so a service's rules and command handler are the same code on both.
///
/// On PostgreSQL the store's connection pool works while ``postgres``'s `run()` does: run it as a
/// service of the process's group (`SagaSystem` does).
public final class ServiceStore: ParticipantStore {
    /// The database underneath.
    public enum Backend: Sendable {
        /// One SQLite file.
        case sqlite(SQLiteSagaStore)
        /// A schema of a PostgreSQL database.
        case postgres(PostgresSagaStore)
    }

    /// The database underneath.
    public let backend: Backend
    private let engine: any SagaStore

    /// Wraps an opened store.
    public init(_ backend: Backend) {
        self.backend = backend
        switch backend {
        case .sqlite(let store): engine = store
        case .postgres(let store): engine = store
        }
    }

    /// Opens (creating if needed) the SQLite file at `path` and creates the service's tables with `migrate`.
    public static func sqlite(path: String, migrate: @escaping @Sendable (Database) throws -> Void) async throws -> ServiceStore {
        let store = try SQLiteSagaStore(path: path)
        try await store.pool.write { db in try migrate(db) }
        return ServiceStore(.sqlite(store))
    }

    /// Connects to PostgreSQL and applies the store's migrations and then the service's
    /// `migrations` in `configuration`'s schema, under the schema's migration lock (replicas
    /// starting at once apply each once). Run ``postgres`` while the store is used.
    ///
    /// - Throws: ``PostgresStoreError`` (never with the password).
    public static func postgres(
        _ configuration: PostgresStoreConfiguration, migrations: [PostgresMigration], logger: Logger
    ) async throws(PostgresStoreError) -> ServiceStore {
        ServiceStore(.postgres(try await PostgresSagaStore.open(configuration, migrations: migrations, logger: logger)))
    }

    /// The PostgreSQL store, whose connection pool must run while the store is used; nil on SQLite.
    public var postgres: PostgresSagaStore? {
        if case .postgres(let store) = backend { return store }
        return nil
    }

    /// Where the data lives, without secrets: the SQLite path, or the PostgreSQL URL without
    /// its password and the schema.
    public var location: String {
        switch backend {
        case .sqlite(let store): store.path
        case .postgres(let store): "\(store.configuration)"
        }
    }

    /// Runs `body` in one write transaction and commits it (see ``transaction(_:_:)``).
    public func write<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (ServiceTransaction) throws -> Result
    ) async throws -> Result {
        try await transaction(operation, body)
    }

    /// Runs `body` for reading, every statement on one snapshot: a read transaction of SQLite's
    /// pool (concurrent with writes), a repeatable-read, read-only transaction on PostgreSQL. A failure of the database is thrown as a ``SagaStoreError``.
    public func read<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (ServiceTransaction) throws -> Result
    ) async throws -> Result {
        switch backend {
        case .sqlite(let store):
            do {
                return try await store.pool.read { db in try body(ServiceTransaction(.sqlite(db))) }
            } catch let error as DatabaseError {
                throw SagaStoreError.database(operation: operation, underlying: "\(error)")
            } catch is CancellationError {
                throw SagaStoreError.cancelled(operation: operation)
            }
        case .postgres:
            // One snapshot for every statement of the read (PostgreSQL's default gives each its own).
            return try await transaction(operation) { transaction in
                try transaction.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return try body(transaction)
            }
        }
    }

    /// Runs `body` in one transaction and commits it: the service's changes and the engine's
    /// inbox entry, remembered reply and outbox rows together. An error thrown by `body` rolls
    /// everything back and is rethrown as it is; a failure of the database is thrown as a
    /// ``SagaStoreError`` naming `operation`.
    public func transaction<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (ServiceTransaction) throws -> Result
    ) async throws -> Result {
        switch backend {
        case .sqlite(let store): try await store.transaction(operation) { db in try body(ServiceTransaction(.sqlite(db))) }
        case .postgres(let store): try await store.transaction(operation) { transaction in try body(ServiceTransaction(.postgres(transaction))) }
        }
    }

    /// The store's failure a handler's statement met, as the database underneath recognizes it.
    public func storeFailure(_ error: any Error, operation: String) -> SagaStoreError? {
        switch backend {
        case .sqlite(let store): store.storeFailure(error, operation: operation)
        case .postgres(let store): store.storeFailure(error, operation: operation)
        }
    }

    // MARK: SagaStore, by the store underneath

    public func load(sagaID: String) async throws(SagaStoreError) -> SagaState? { try await engine.load(sagaID: sagaID) }
    public func commit(_ commit: SagaCommit) async throws(SagaStoreError) -> CommitResult { try await engine.commit(commit) }
    public func batch<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (any SagaTransaction) throws -> Result
    ) async throws -> Result {
        try await engine.batch(operation, body)
    }
    public func isProcessed(consumer: String, messageID: String) async throws(SagaStoreError) -> Bool {
        try await engine.isProcessed(consumer: consumer, messageID: messageID)
    }
    public func history(sagaID: String) async throws(SagaStoreError) -> [StepAttemptRecord] { try await engine.history(sagaID: sagaID) }
    public func sagas(status: SagaStatus, limit: Int) async throws(SagaStoreError) -> [SagaState] {
        try await engine.sagas(status: status, limit: limit)
    }
    public func countByStatus() async throws(SagaStoreError) -> [SagaStatus: Int] { try await engine.countByStatus() }
    public func nextDeadline() async throws(SagaStoreError) -> Date? { try await engine.nextDeadline() }
    public func dueSagas(now: Date, limit: Int) async throws(SagaStoreError) -> [SagaState] { try await engine.dueSagas(now: now, limit: limit) }
    public func pendingOutbox(limit: Int) async throws(SagaStoreError) -> [OutboxRecord] { try await engine.pendingOutbox(limit: limit) }
    public func pendingOutbox(limit: Int, excluding excluded: Set<Int64>) async throws(SagaStoreError) -> [OutboxRecord] {
        try await engine.pendingOutbox(limit: limit, excluding: excluded)
    }
    public func markPublished(_ ids: [Int64], at: Date) async throws(SagaStoreError) { try await engine.markPublished(ids, at: at) }
    public func purge(before date: Date, limit: Int) async throws(SagaStoreError) -> Int {
        try await engine.purge(before: date, limit: limit)
    }
    public func purgeFinished(startedBefore date: Date, limit: Int) async throws(SagaStoreError) -> Int {
        try await engine.purgeFinished(startedBefore: date, limit: limit)
    }
    public func tombstone(sagaID: String) async throws(SagaStoreError) -> SagaTombstone? { try await engine.tombstone(sagaID: sagaID) }
    public func beginReplay(_ replay: ReplayRequest, force: Bool) async throws(SagaStoreError) -> ReplayRecord {
        try await engine.beginReplay(replay, force: force)
    }
    public func finishReplay(replayID: String, outcome: ReplayOutcome, detail: String?, at: Date) async throws(SagaStoreError) {
        try await engine.finishReplay(replayID: replayID, outcome: outcome, detail: detail, at: at)
    }
    public func replay(id: String) async throws(SagaStoreError) -> ReplayRecord? { try await engine.replay(id: id) }
}
