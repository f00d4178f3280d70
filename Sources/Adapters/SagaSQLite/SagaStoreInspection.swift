import SagaCore
import Foundation
import GRDB

/// What a saga or service SQLite file holds, read without changing it (no migration, no write):
/// for `sagactl doctor` and operators.
public struct SagaStoreInspection: Sendable, Hashable {
    /// The engine's schema migrations this build knows, in order.
    public var knownMigrations: [String]
    /// The migrations recorded in the file.
    public var appliedMigrations: [String]
    /// Rows of the outbox not yet published to Kafka.
    public var pendingOutbox: Int
    /// When the oldest unpublished outbox row was written.
    public var oldestPendingOutbox: Date?
    /// Sagas by status (`running`, `completed`, …); empty for a service's own database.
    public var sagasByStatus: [String: Int]

    /// Known migrations the file has not had yet (opening it with this build applies them).
    public var missingMigrations: [String] { knownMigrations.filter { !appliedMigrations.contains($0) } }
    /// Migrations recorded in the file that this build does not know: a newer build wrote it.
    public var unknownMigrations: [String] { appliedMigrations.filter { !knownMigrations.contains($0) } }

    /// Reads the store at `path` read-only.
    ///
    /// - Throws: GRDB's error when the file is not a SQLite database or cannot be opened.
    public static func inspect(path: String) throws -> SagaStoreInspection {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let applied = try db.tableExists("grdb_migrations")
                ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") : []
            var pending = 0
            var oldest: Date?
            if try db.tableExists("outbox") {
                pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL") ?? 0
                oldest = try Double.fetchOne(db, sql: "SELECT MIN(created_at) FROM outbox WHERE published_at IS NULL")
                    .map { Date(timeIntervalSince1970: $0) }
            }
            var byStatus: [String: Int] = [:]
            if try db.tableExists("saga_instance") {
                for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS count FROM saga_instance GROUP BY status") {
                    byStatus[row["status"]] = row["count"]
                }
            }
            return SagaStoreInspection(
                knownMigrations: SQLiteSchema.migrator.migrations, appliedMigrations: applied,
                pendingOutbox: pending, oldestPendingOutbox: oldest, sagasByStatus: byStatus)
        }
    }
}
