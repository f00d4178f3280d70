import Foundation
import PostgresNIO
import SagaCore

/// The `saga_timeline` table of ``PostgresSagaStore``: written by commits, one multi-row insert
/// each, and read back per saga in write order.
enum PostgresTimeline {
    static let columns = [
        "saga_id", "kind", "at", "step", "attempt", "item", "topic", "message_type", "message_id", "causation_id", "payload",
        "outcome", "detail",
    ]

    /// Inserts `entries` of saga `sagaID` in one statement (per ``PostgresTransaction/rowsPerInsert``
    /// rows), inside the commit's transaction, sent without waiting for its answer.
    static func write(_ entries: [SagaTimelineEntry], sagaID: String, in transaction: PostgresTransaction) throws {
        try transaction.sendInsert(into: "saga_timeline", columns: columns, entries) { entry, binds in
            binds.append(sagaID)
            binds.append(entry.kind.rawValue)
            binds.append(entry.at.timeIntervalSince1970)
            binds.append(entry.step)
            binds.append(entry.attempt)
            binds.append(entry.item)
            binds.append(entry.topic)
            binds.append(entry.messageType)
            binds.append(entry.messageID)
            binds.append(entry.causationID)
            try binds.append(entry.payload.map { Data($0) })
            binds.append(entry.outcome)
            binds.append(entry.detail)
        }
    }

    /// The entries kept for saga `sagaID`, in write order (``SagaTimelineEntry/sequence`` is the row id).
    static func entries(sagaID: String, in transaction: PostgresTransaction) throws -> [SagaTimelineEntry] {
        try transaction.query("SELECT * FROM saga_timeline WHERE saga_id = \(sagaID) ORDER BY id").rows.map { row in
            let id = try PostgresRowReader(row: row, table: "saga_timeline", key: "?")("id", Int64.self)
            let read = PostgresRowReader(row: row, table: "saga_timeline", key: String(id))
            return SagaTimelineEntry(
                at: Date(timeIntervalSince1970: try read("at", Double.self)), kind: try read.value("kind", SagaTimelineKind.self),
                step: try read("step", String?.self), attempt: try read("attempt", Int?.self), item: try read("item", Int?.self),
                topic: try read("topic", String?.self), messageType: try read("message_type", String?.self),
                messageID: try read("message_id", String?.self), causationID: try read("causation_id", String?.self),
                payload: try read("payload", Data?.self).map { Array($0) }, outcome: try read("outcome", String?.self),
                detail: try read("detail", String?.self), sequence: id
            )
        }
    }
}

extension PostgresSagaStore {
    /// The timeline of saga `sagaID` (its state, kept messages and audit entries, one snapshot),
    /// or nil when there is no such saga.
    public func timeline(sagaID: String) async throws(SagaStoreError) -> SagaTimeline? {
        try await operation("timeline of saga \(sagaID)") { transaction in
            try transaction.send("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            guard let row = try transaction.query("SELECT * FROM saga_instance WHERE saga_id = \(sagaID)").rows.first else { return nil }
            let audit = try transaction.query("SELECT * FROM audit_trail WHERE target = \(sagaID) ORDER BY sequence").rows
                .map { try Self.auditEntry($0) }
            return SagaTimeline(
                state: try PostgresRows.state(row), messages: try PostgresTimeline.entries(sagaID: sagaID, in: transaction), audit: audit
            )
        }
    }
}
