import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SagaCore
import ServiceLifecycle

/// The ``SagaStore`` on PostgreSQL: several orchestrator replicas (or a participant service's
/// replicas) share one database.
///
/// Every operation is one PostgreSQL transaction, run synchronously on one of the store's
/// blocking threads over a connection of its pool (postgres-nio's `PostgresClient`): the
/// orchestrator's commit writes inbox entry, saga state, history and outbox rows together, and a
/// participant's handler changes its own tables in the same transaction as its inbox entry and
/// reply (``transaction(_:_:)``). Replicas share the outbox and the timers through claims: a
/// replica reading pending rows or due sagas claims them for ``PostgresStoreConfiguration/claimLease``,
/// and the others skip them until it ends (see ``pendingOutbox(limit:)``).
///
/// ``open(_:logger:)`` connects, checks the role and database and migrates; then run the store
/// (``run()``, a swift-service-lifecycle `Service`) for as long as it is used: its pool works
/// only while ``run()`` does, and ending it closes the store.
public final class PostgresSagaStore: SagaStore, Service {
    /// Where it connects and which schema holds its tables.
    public let configuration: PostgresStoreConfiguration
    /// This replica's name in the claims it takes.
    public let instanceID: String
    let client: PostgresClient
    let threads: NIOThreadPool
    let logger: Logger

    private init(configuration: PostgresStoreConfiguration, client: PostgresClient, threads: NIOThreadPool, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.threads = threads
        self.logger = logger
        self.instanceID = UUID().uuidString.lowercased()
    }

    /// Connects to the database `configuration` names, creates its schema if needed and applies
    /// pending migrations (safely when several replicas start at once): the store's own, then
    /// `migrations` (the tables of the participant service using the store, in the same schema).
    ///
    /// - Throws: ``PostgresStoreError``: unreachable server, refused role or password, missing
    ///   database, a newer schema, a failed migration. The password appears in none of them.
    public static func open(
        _ configuration: PostgresStoreConfiguration, migrations: [PostgresMigration] = [],
        logger: Logger = Logger(label: "saga.postgres")
    ) async throws(PostgresStoreError) -> PostgresSagaStore {
        guard PostgresSchema.isValidName(configuration.schema) else { throw .invalidSchema(configuration.schema) }
        let connectionConfiguration = try configuration.connectionConfiguration()
        let clientConfiguration = try configuration.clientConfiguration()
        let threads = NIOThreadPool(numberOfThreads: configuration.maximumConnections)
        threads.start()
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: connectionConfiguration, id: 0, logger: logger)
            do {
                let applied = try await threads.runIfActive {
                    try Self.inTransaction(PostgresTransaction(
                        connection: connection, logger: logger, statementTimeout: configuration.statementTimeout, schema: configuration.schema)) { transaction in
                        try PostgresSchema.migrate(transaction, schema: configuration.schema, extra: migrations)
                    }
                }
                try await connection.close()
                if !applied.isEmpty {
                    logger.info("migrated the saga store", metadata: ["schema": "\(configuration.schema)", "migrations": "\(applied)"])
                }
            } catch {
                // The migration's error is the one to report; a failed close is only logged.
                do {
                    try await connection.close()
                } catch let closing {
                    logger.warning("closing the migration connection failed", metadata: ["error": "\(PostgresFailure.detail(closing))"])
                }
                throw error
            }
        } catch {
            await shutDown(threads, logger: logger)
            throw PostgresStoreError.classify(error, url: configuration.url, operation: "migrate schema \(configuration.schema)")
        }
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        return PostgresSagaStore(configuration: configuration, client: client, threads: threads, logger: logger)
    }

    /// Runs the connection pool until cancelled (or until the service group shuts down), then
    /// closes it and the store's threads.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.client.run() }
        await Self.shutDown(threads, logger: logger)
    }

    private static func shutDown(_ threads: NIOThreadPool, logger: Logger) async {
        do {
            try await threads.shutdownGracefully()
        } catch {
            logger.warning("the saga store's threads did not shut down cleanly", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Plumbing

    /// Runs `body` on a leased connection and one of the store's threads, in one transaction
    /// when `transactional` (else each statement commits on its own: single reads). The body's
    /// own errors come back as they are. An operation lent a connection that is closed (the
    /// server closed it while it sat in the pool, as after a restart), or whose `BEGIN` fails,
    /// runs again on another connection: nothing of it had run. The pool learns of a closed
    /// connection a moment later than the store closes it, so it may lend the same one again;
    /// hence up to one more attempt than the pool has connections.
    func run<T: Sendable>(
        transactional: Bool = true, _ body: @escaping @Sendable (PostgresTransaction) throws -> T
    ) async throws -> T {
        var attempts = 0
        while true {
            do {
                return try await attempt(transactional: transactional, body)
            } catch let stale as StaleConnection {
                attempts += 1
                if attempts > configuration.maximumConnections { throw stale.underlying }
                logger.debug("a pooled connection was closed; beginning again on another", metadata: [
                    "error": "\(PostgresFailure.detail(stale.underlying))", "attempt": "\(attempts)",
                ])
                // A short backoff gives the pool's event loop its turn to drop the closed connection;
                // no event tells when it has.
                try await Task.sleep(for: .milliseconds(5 * attempts))
            }
        }
    }

    private func attempt<T: Sendable>(
        transactional: Bool, _ body: @escaping @Sendable (PostgresTransaction) throws -> T
    ) async throws -> T {
        let logger = self.logger
        let threads = self.threads
        let statementTimeout = configuration.statementTimeout
        let schema = configuration.schema
        return try await client.withConnection { connection in
            try await threads.runIfActive {
                // The pool may lend a connection the server has closed since (a restart): begin again on another.
                guard !connection.isClosed else { throw StaleConnection(underlying: PostgresConnectionClosed()) }
                let transaction = PostgresTransaction(connection: connection, logger: logger, statementTimeout: statementTimeout, schema: schema)
                guard transactional else {
                    let result = try body(transaction)
                    try transaction.flush()
                    return result
                }
                return try Self.inTransaction(transaction, body)
            }
        }
    }

    /// `BEGIN` failed: nothing ran; the connection was closed.
    struct StaleConnection: Error {
        var underlying: any Error
    }

    /// `BEGIN`, `body`, `COMMIT`; `ROLLBACK` when `body` throws, or a statement it sent without
    /// waiting failed (that error is rethrown). A connection that cannot begin or roll back is
    /// closed before it goes back to the pool.
    ///
    /// `BEGIN` goes out with the body's first statement, and `COMMIT` behind its last ones
    /// (unless one carries a check, which must pass first): a transaction costs the waits of its
    /// body's reads and one more. Only a session that ended fails a `BEGIN`, and then every
    /// statement behind it fails too.
    ///
    /// - Throws: the body's error, ``StaleConnection`` when `BEGIN` failed, or the server's.
    static func inTransaction<T>(_ transaction: PostgresTransaction, _ body: (PostgresTransaction) throws -> T) throws -> T {
        do {
            try transaction.begin()
        } catch {
            transaction.discardConnection()
            throw StaleConnection(underlying: error)
        }
        let result: T
        do {
            result = try body(transaction)
            if transaction.awaitsChecks { try transaction.flush() }
        } catch {
            transaction.drain()
            if transaction.sessionEnded(by: error) {
                transaction.discardConnection()
                throw error
            }
            do {
                try transaction.execute("ROLLBACK")
            } catch let rollback {
                // The connection is broken: close it so the pool does not lend it again, and report the first error.
                transaction.logger.warning("rollback failed; closing the connection", metadata: ["error": "\(PostgresFailure.detail(rollback))"])
                transaction.discardConnection()
            }
            throw error
        }
        do {
            try transaction.commit()
        } catch let rolledBack as PostgresTransaction.RolledBack {
            throw rolledBack.underlying
        } catch {
            // Whether it committed is unknown (the caller's retry finds out through the inbox);
            // the connection is not lent again.
            transaction.discardConnection()
            throw error
        }
        return result
    }

    /// Runs `body` (a store operation named `operation`) and reports every failure as a ``SagaStoreError``.
    func operation<T: Sendable>(
        _ operation: String, transactional: Bool = true, _ body: @escaping @Sendable (PostgresTransaction) throws -> T
    ) async throws(SagaStoreError) -> T {
        do {
            return try await run(transactional: transactional, body)
        } catch {
            throw Self.wrap(error, operation)
        }
    }

    static func wrap(_ error: any Error, _ operation: String) -> SagaStoreError {
        if let error = error as? SagaStoreError { return error }
        if error is CancellationError { return .cancelled(operation: operation) }
        return .database(operation: operation, underlying: PostgresFailure.detail(error))
    }
}
