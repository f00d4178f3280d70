import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SagaCore

extension SagaStoreInspection {
    /// Connects as `configuration` says and reads its schema.
    ///
    /// - Throws: ``PostgresStoreError`` (unreachable, refused, missing database; never the password).
    public static func inspect(
        _ configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "saga.postgres.inspection")
    ) async throws(PostgresStoreError) -> SagaStoreInspection {
        guard PostgresSchema.isValidName(configuration.schema) else { throw .invalidSchema(configuration.schema) }
        let connectionConfiguration = try configuration.connectionConfiguration()
        let schema = configuration.schema
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: connectionConfiguration, id: 0, logger: logger)
            let result: Result<SagaStoreInspection, any Error>
            do {
                result = .success(try await NIOThreadPool.singleton.runIfActive {
                    try PostgresSagaStore.inTransaction(PostgresTransaction(
                        connection: connection, logger: logger, statementTimeout: configuration.statementTimeout, schema: configuration.schema)) { transaction in
                        try transaction.send("SET TRANSACTION READ ONLY")
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

    private static func read(schema: String, in transaction: PostgresTransaction) throws -> SagaStoreInspection {
        var inspection = SagaStoreInspection(knownMigrations: PostgresSchema.identifiers)
        let tables = try transaction.query("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = \(schema)
            """).rows.map { try PostgresRowReader(row: $0, table: "information_schema.tables", key: schema)("table_name", String.self) }
        if tables.contains("saga_migrations") {
            inspection.appliedMigrations = try transaction.execute("SELECT identifier FROM \(PostgresSchema.quote(schema)).saga_migrations ORDER BY applied_at, identifier")
                .rows.map { try PostgresRowReader(row: $0, table: "saga_migrations", key: "?")("identifier", String.self) }
        }
        if tables.contains("outbox"), let row = try transaction.execute(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM \(PostgresSchema.quote(schema)).outbox WHERE published_at IS NULL").rows.first
        {
            let read = PostgresRowReader(row: row, table: "outbox", key: "pending")
            inspection.pendingOutbox = try read("n", Int.self)
            inspection.oldestPendingOutbox = try read("oldest", Double?.self).map { Date(timeIntervalSince1970: $0) }
        }
        if tables.contains("saga_instance") {
            for row in try transaction.execute("SELECT status, COUNT(*) AS n FROM \(PostgresSchema.quote(schema)).saga_instance GROUP BY status").rows {
                let read = PostgresRowReader(row: row, table: "saga_instance", key: "count")
                inspection.sagasByStatus[try read("status", String.self)] = try read("n", Int.self)
            }
        }
        return inspection
    }
}
