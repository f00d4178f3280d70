import Foundation
import GRDB
import SagaCore

/// The `saga_timeline` table of ``SQLiteSagaStore``: written by commits, one multi-row insert
/// each, and read back per saga in write order.
enum SQLiteTimeline {
    static let columns = [
        "saga_id", "kind", "at", "step", "attempt", "item", "topic", "message_type", "message_id", "causation_id", "payload",
        "outcome", "detail",
    ]
    /// Rows per statement (SQLite limits the bound parameters of one statement).
    static let rowsPerStatement = 500

    /// Inserts `entries` of saga `sagaID` in one statement (per ``rowsPerStatement`` rows), inside the commit's transaction.
    static func write(_ entries: [SagaTimelineEntry], sagaID: String, in db: Database) throws {
        guard !entries.isEmpty else { return }
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        for start in stride(from: 0, to: entries.count, by: rowsPerStatement) {
            let chunk = entries[start..<min(start + rowsPerStatement, entries.count)]
            var arguments = StatementArguments()
            for entry in chunk {
                arguments += [
                    sagaID, entry.kind.rawValue, entry.at.timeIntervalSince1970, entry.step, entry.attempt, entry.item, entry.topic,
                    entry.messageType, entry.messageID, entry.causationID, entry.payload.map { Data($0) }, entry.outcome, entry.detail,
                ]
            }
            let values = Array(repeating: row, count: chunk.count).joined(separator: ", ")
            try db.executeCached(sql: "INSERT INTO saga_timeline (\(columns.joined(separator: ", "))) VALUES \(values)", arguments: arguments)
        }
    }

    /// The entries kept for saga `sagaID`, in write order (``SagaTimelineEntry/sequence`` is the row id).
    static func entries(sagaID: String, in db: Database) throws -> [SagaTimelineEntry] {
        try db.cachedRows(sql: "SELECT * FROM saga_timeline WHERE saga_id = ? ORDER BY id", arguments: [sagaID]).map { row in
            let id: Int64 = row["id"]
            guard let kind = SagaTimelineKind(rawValue: row["kind"]) else {
                throw SagaStoreError.corruptRow(table: "saga_timeline", key: String(id), detail: "unknown kind")
            }
            let payload: Data? = row["payload"]
            return SagaTimelineEntry(
                at: Date(timeIntervalSince1970: row["at"]), kind: kind, step: row["step"], attempt: row["attempt"], item: row["item"],
                topic: row["topic"], messageType: row["message_type"], messageID: row["message_id"], causationID: row["causation_id"],
                payload: payload.map { Array($0) }, outcome: row["outcome"], detail: row["detail"], sequence: id
            )
        }
    }
}

extension SQLiteSagaStore {
    /// The timeline of saga `sagaID` (its state, kept messages and audit entries, read in one
    /// transaction), or nil when there is no such saga.
    public func timeline(sagaID: String) async throws(SagaStoreError) -> SagaTimeline? {
        try await read("timeline of saga \(sagaID)") { db in
            guard let state = try db.cachedRow(sql: "SELECT * FROM saga_instance WHERE saga_id = ?", arguments: [sagaID])
                .map(SQLiteRows.state)
            else { return nil }
            let audit = try db.cachedRows(sql: "SELECT * FROM audit_trail WHERE target = ? ORDER BY sequence", arguments: [sagaID])
                .map { try Self.auditEntry($0) }
            return SagaTimeline(state: state, messages: try SQLiteTimeline.entries(sagaID: sagaID, in: db), audit: audit)
        }
    }
}
