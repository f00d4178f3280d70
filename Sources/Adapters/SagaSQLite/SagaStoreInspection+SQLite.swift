import SagaCore
import Foundation
import GRDB

extension SagaStoreInspection {
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
