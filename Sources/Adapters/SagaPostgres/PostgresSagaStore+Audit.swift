import Foundation
import PostgresNIO
import SagaCore

extension PostgresSagaStore: AuditTrail {
    /// Appends `entry` and, in the same transaction, `message` to the outbox; returns the entry
    /// with its sequence.
    public func recordAudit(_ entry: AuditEntry, message: OutgoingMessage?) async throws(SagaStoreError) -> AuditEntry {
        try await operation("record audit entry \(entry.id)") { transaction in
            try Self.writeAudit(AuditWrite(entry: entry, message: message), in: transaction)
        }
    }

    /// Appends the entry, and its audit-topic record to the outbox, inside an open transaction;
    /// returns the entry with its sequence.
    static func writeAudit(_ audit: AuditWrite, in transaction: PostgresTransaction) throws -> AuditEntry {
        if let message = audit.message { _ = try PostgresCommits.apply(SagaCommit(outbox: [message]), in: transaction) }
        let entry = audit.entry
        let at = entry.at.timeIntervalSince1970
        let (action, outcome) = (entry.action.rawValue, entry.outcome.rawValue)
        let rows = try transaction.query("""
            INSERT INTO audit_trail (id, at, actor, role, action, target, note, outcome, detail)
            VALUES (\(entry.id), \(at), \(entry.actor), \(entry.role), \(action), \(entry.target), \(entry.note), \(outcome), \(entry.detail))
            RETURNING sequence
            """).rows
        var recorded = entry
        if let row = rows.first { recorded.sequence = try PostgresRowReader(row: row, table: "audit_trail", key: entry.id)("sequence") }
        return recorded
    }

    /// The entry with `id`, or `nil`.
    public func auditEntry(id: String) async throws(SagaStoreError) -> AuditEntry? {
        try await operation("audit entry \(id)", transactional: false) { transaction in
            try transaction.query("SELECT * FROM audit_trail WHERE id = \(id)").rows.first.map { try Self.auditEntry($0) }
        }
    }

    /// At most `limit` entries older than `before`, newest first, optionally about `target` only.
    public func auditEntries(before: Int64?, target: String?, limit: Int) async throws(SagaStoreError) -> [AuditEntry] {
        try await operation("list audit entries", transactional: false) { transaction in
            let rows = try transaction.query("""
                SELECT * FROM audit_trail WHERE (\(before)::bigint IS NULL OR sequence < \(before))
                AND (\(target)::text IS NULL OR target = \(target)) ORDER BY sequence DESC LIMIT \(limit)
                """).rows
            return try rows.map { try Self.auditEntry($0) }
        }
    }

    static func auditEntry(_ row: PostgresRandomAccessRow) throws -> AuditEntry {
        let id = try PostgresRowReader(row: row, table: "audit_trail", key: "?")("id", String.self)
        let read = PostgresRowReader(row: row, table: "audit_trail", key: id)
        return AuditEntry(
            id: id, at: Date(timeIntervalSince1970: try read("at", Double.self)), actor: try read("actor", String.self),
            role: try read("role", String?.self), action: try read.value("action", AuditAction.self),
            target: try read("target", String.self), note: try read("note", String?.self),
            outcome: try read.value("outcome", AuditOutcome.self), detail: try read("detail", String?.self),
            sequence: try read("sequence", Int64.self))
    }
}
