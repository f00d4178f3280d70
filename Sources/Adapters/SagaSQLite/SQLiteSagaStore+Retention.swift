import Foundation
import GRDB
import SagaCore

extension SQLiteSagaStore {
    /// Removes up to `limit` completed and up to `limit` compensated sagas that started and last
    /// changed before `date`, oldest first (found through the status index), leaving a tombstone
    /// for each, in one short write transaction; returns how many.
    public func purgeFinished(startedBefore date: Date, limit: Int) async throws(SagaStoreError) -> Int {
        guard limit > 0 else { return 0 }
        return try await write("purge finished sagas") { db in
            try SQLiteRetention.purgeFinished(before: date.timeIntervalSince1970, limit: limit, now: Date().timeIntervalSince1970, in: db)
        }
    }

    /// The tombstone of removed saga `sagaID`, or `nil`.
    public func tombstone(sagaID: String) async throws(SagaStoreError) -> SagaTombstone? {
        try await read("tombstone of \(sagaID)") { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT saga_id, saga_type, status, created_at, ended_at, removed_at FROM saga_tombstone WHERE saga_id = ?
                """, arguments: [sagaID])
            else { return nil }
            let status: String = row["status"]
            guard let parsed = SagaStatus(rawValue: status) else {
                throw SagaStoreError.corruptRow(table: "saga_tombstone", key: sagaID, detail: "unknown status \(status)")
            }
            return SagaTombstone(
                sagaID: row["saga_id"], sagaType: row["saga_type"], status: parsed,
                startedAt: Date(timeIntervalSince1970: row["created_at"]), endedAt: Date(timeIntervalSince1970: row["ended_at"]),
                removedAt: Date(timeIntervalSince1970: row["removed_at"]))
        }
    }
}

/// The statements of the retention of finished sagas.
enum SQLiteRetention {
    /// The statuses whose sagas the retention removes: nothing can change them any more.
    static let removable: [SagaStatus] = SagaStatus.allCases.filter(\.isTerminal)

    /// Whether saga `sagaID` was removed after it finished.
    static func hasTombstone(_ sagaID: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM saga_tombstone WHERE saga_id = ?)", arguments: [sagaID]) ?? false
    }

    /// Moves up to `limit` sagas of each removable status, started and last changed before
    /// `cutoff`, to tombstones; returns how many.
    static func purgeFinished(before cutoff: Double, limit: Int, now: Double, in db: Database) throws -> Int {
        var removed = 0
        for status in removable {
            // One status at a time: the status index then yields them oldest first and stops at `limit`.
            let ids = try String.fetchAll(db, sql: """
                SELECT saga_id FROM saga_instance
                WHERE status = ? AND created_at < ? AND updated_at < ? ORDER BY created_at LIMIT ?
                """, arguments: [status.rawValue, cutoff, cutoff, limit])
            for id in ids {
                try db.executeCached(sql: """
                    INSERT INTO saga_tombstone (saga_id, saga_type, status, created_at, ended_at, removed_at)
                    SELECT saga_id, saga_type, status, created_at, updated_at, ? FROM saga_instance WHERE saga_id = ?
                    """, arguments: [now, id])
                try db.executeCached(sql: "DELETE FROM saga_step_history WHERE saga_id = ?", arguments: [id])
                try db.executeCached(sql: "DELETE FROM saga_timeline WHERE saga_id = ?", arguments: [id])
                try db.executeCached(sql: "DELETE FROM saga_instance WHERE saga_id = ?", arguments: [id])
            }
            removed += ids.count
        }
        return removed
    }
}
