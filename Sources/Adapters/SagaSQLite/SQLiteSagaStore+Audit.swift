import Foundation
import GRDB
import SagaCore

extension SQLiteSagaStore: AuditTrail {
    /// Appends `entry` and its audit-topic message (into the outbox) in one transaction.
    public func recordAudit(_ entry: AuditEntry, message: OutgoingMessage?) async throws(SagaStoreError) -> AuditEntry {
        try await write("record audit entry \(entry.id)") { db in
            try Self.writeAudit(AuditWrite(entry: entry, message: message), in: db)
        }
    }

    /// Appends the entry, and its audit-topic record to the outbox, inside an open transaction;
    /// returns the entry with its sequence.
    static func writeAudit(_ audit: AuditWrite, in db: Database) throws -> AuditEntry {
        if let message = audit.message { _ = try apply(SagaCommit(outbox: [message]), in: db) }
        let entry = audit.entry
        try db.executeCached(
            sql: """
                INSERT INTO audit_trail (id, at, actor, role, action, target, note, outcome, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [entry.id, entry.at.timeIntervalSince1970, entry.actor, entry.role, entry.action.rawValue, entry.target,
                        entry.note, entry.outcome.rawValue, entry.detail]
        )
        var recorded = entry
        recorded.sequence = db.lastInsertedRowID
        return recorded
    }

    /// The entry with `id`, or `nil`.
    public func auditEntry(id: String) async throws(SagaStoreError) -> AuditEntry? {
        try await read("audit entry \(id)") { db in
            try db.cachedRow(sql: "SELECT * FROM audit_trail WHERE id = ?", arguments: [id]).map { try Self.auditEntry($0) }
        }
    }

    /// At most `limit` entries older than `before`, newest first, optionally about `target` only.
    public func auditEntries(before: Int64?, target: String?, limit: Int) async throws(SagaStoreError) -> [AuditEntry] {
        try await read("list audit entries") { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let before {
                conditions.append("sequence < ?")
                arguments += [before]
            }
            if let target {
                conditions.append("target = ?")
                arguments += [target]
            }
            arguments += [limit]
            let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            return try db.cachedRows(sql: "SELECT * FROM audit_trail\(condition) ORDER BY sequence DESC LIMIT ?", arguments: arguments)
                .map { try Self.auditEntry($0) }
        }
    }

    static func auditEntry(_ row: Row) throws(SagaStoreError) -> AuditEntry {
        let id: String = row["id"]
        guard let action = AuditAction(rawValue: row["action"]), let outcome = AuditOutcome(rawValue: row["outcome"]) else {
            throw .corruptRow(table: "audit_trail", key: id, detail: "unknown action or outcome")
        }
        return AuditEntry(
            id: id, at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"], role: row["role"], action: action,
            target: row["target"], note: row["note"], outcome: outcome, detail: row["detail"], sequence: row["sequence"]
        )
    }
}
