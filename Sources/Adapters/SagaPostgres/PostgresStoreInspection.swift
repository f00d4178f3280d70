import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// What a PostgreSQL store's schema holds, read without changing it (no migration, no write, a
/// read-only transaction): for `sagactl doctor` and operators.
public struct PostgresStoreInspection: Sendable, Hashable {
    /// The engine's schema migrations this build knows, in order.
    public var knownMigrations: [String]
    /// The migrations recorded in the schema (empty when the schema does not exist yet).
    public var appliedMigrations: [String]
    /// Rows of the outbox not yet published to Kafka.
    public var pendingOutbox: Int
    /// When the oldest unpublished outbox row was written.
    public var oldestPendingOutbox: Date?
    /// Sagas by status (`running`, `completed`, …).
    public var sagasByStatus: [String: Int]

    /// Known migrations the schema has not had yet (starting the orchestrator applies them).
    public var missingMigrations: [String] { knownMigrations.filter { !appliedMigrations.contains($0) } }
    /// Migrations recorded in the schema that this build does not know: a newer build wrote it.
    public var unknownMigrations: [String] { appliedMigrations.filter { !knownMigrations.contains($0) } }

    /// Connects as `configuration` says and reads its schema.
    ///
    /// - Throws: ``PostgresStoreError`` (unreachable, refused, missing database; never the password).
    public static func inspect(
        _ configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "saga.postgres.inspection")
    ) async throws(PostgresStoreError) -> PostgresStoreInspection {
        guard PostgresSchema.isValidName(configuration.schema) else { throw .invalidSchema(configuration.schema) }
        let connectionConfiguration = try configuration.connectionConfiguration()
        let schema = configuration.schema
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: connectionConfiguration, id: 0, logger: logger)
            let result: Result<PostgresStoreInspection, any Error>
            do {
                result = .success(try await NIOThreadPool.singleton.runIfActive {
                    try PostgresSagaStore.inTransaction(PostgresTransaction(connection: connection, logger: logger)) { transaction in
                        try transaction.execute("SET TRANSACTION READ ONLY")
                        return try read(schema: schema, in: transaction)
                    }
                })
            } catch {
                result = .failure(error)
            }
            try await connection.close()
            return try result.get()
        } catch {
            throw PostgresStoreError.classify(error, url: configuration.url, operation: "inspect schema \(schema)")
        }
    }

    private static func read(schema: String, in transaction: PostgresTransaction) throws -> PostgresStoreInspection {
        var inspection = PostgresStoreInspection(
            knownMigrations: PostgresSchema.identifiers, appliedMigrations: [], pendingOutbox: 0, oldestPendingOutbox: nil,
            sagasByStatus: [:])
        let tables = try transaction.query("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = \(schema)
            """).rows.map { try PostgresRowReader(row: $0, table: "information_schema.tables", key: schema)("table_name", String.self) }
        if tables.contains("saga_migrations") {
            inspection.appliedMigrations = try transaction.execute("SELECT identifier FROM \(schema).saga_migrations ORDER BY applied_at, identifier")
                .rows.map { try PostgresRowReader(row: $0, table: "saga_migrations", key: "?")("identifier", String.self) }
        }
        if tables.contains("outbox"), let row = try transaction.execute(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM \(schema).outbox WHERE published_at IS NULL").rows.first
        {
            let read = PostgresRowReader(row: row, table: "outbox", key: "pending")
            inspection.pendingOutbox = try read("n", Int.self)
            inspection.oldestPendingOutbox = try read("oldest", Double?.self).map { Date(timeIntervalSince1970: $0) }
        }
        if tables.contains("saga_instance") {
            for row in try transaction.execute("SELECT status, COUNT(*) AS n FROM \(schema).saga_instance GROUP BY status").rows {
                let read = PostgresRowReader(row: row, table: "saga_instance", key: "count")
                inspection.sagasByStatus[try read("status", String.self)] = try read("n", Int.self)
            }
        }
        return inspection
    }
}
