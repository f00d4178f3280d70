import Foundation
import PostgresNIO
import SagaCore
import SagaPostgres
import SagaTestSupport
import Testing

/// PostgreSQL's counterpart of ``QueryPlanTests``: what an orchestrator and a participant on
/// PostgreSQL ran for a few sagas end to end (starts, commands, replies, batches, timers, the
/// outbox relay's claims, the purges) is recorded, and each statement's generic plan is read with
/// sequential scans switched off: a table that is still read whole has no index the statement
/// can use, and every message would get slower as the store grows.
@Suite(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct PostgresQueryPlanTests {
    /// Indexes that may be read whole: partial ones, holding only the rows still to work on.
    static let boundedIndexes = ["outbox_pending", "outbox_claimed", "saga_instance_deadline", "saga_instance_timer_claimed"]
    /// The tables that grow with every saga.
    static let tables = [
        "saga_instance", "saga_step_history", "saga_timeline", "saga_tombstone", "outbox", "inbox", "participant_reply", "audit_trail", "ledger",
    ]

    @Test func theMessagePathUsesIndexesOnly() async throws {
        let orchestratorSchema = try PostgresTesting.configuration(), participantSchema = try PostgresTesting.configuration()
        PostgresStatistics.record(schemas: [orchestratorSchema.schema, participantSchema.schema])
        try await PostgresTesting.withStore(orchestratorSchema) { sagas in
            try await PostgresTesting.withStore(participantSchema) { services in
                try await Self.runSagas(sagas, services)
                var checked = 0
                for (schema, store) in [(orchestratorSchema.schema, sagas), (participantSchema.schema, services)] {
                    for sql in PostgresStatistics.statements(ofSchema: schema)
                    where ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(where: { sql.hasPrefix($0) }) {
                        // countByStatus reads every saga on purpose (the gauges, every 15 s), not per message.
                        if sql.contains("GROUP BY status") { continue }
                        let scans = try await Self.unboundedScans(of: sql, in: store)
                        #expect(scans.isEmpty, "\(sql) → \(scans)")
                        checked += 1
                    }
                }
                #expect(checked >= 15, "statements recorded: \(checked)")
            }
        }
    }

    /// ``QueryPlanTests/runOrderSagas(_:_:)`` on PostgreSQL, with a participant that reads and
    /// writes a table of its own in the store's transaction.
    static func runSagas(_ sagas: PostgresSagaStore, _ services: PostgresSagaStore) async throws {
        _ = try await services.transaction("create ledger") { transaction in
            try transaction.query("CREATE TABLE ledger (seq bigserial PRIMARY KEY, saga_id text NOT NULL, action text NOT NULL)")
            try transaction.query("CREATE INDEX ledger_saga ON ledger (saga_id)")
        }
        let participant = SagaParticipant(store: services, consumerName: "participants") { command, transaction in
            let body = try command.decode(StepCommand.self)
            let earlier = try transaction.query("SELECT action FROM ledger WHERE saga_id = \(command.sagaID)").rows.count
            try transaction.query("INSERT INTO ledger (saga_id, action) VALUES (\(command.sagaID), \("\(body.action) \(earlier)"))")
            if body.action == "reserve" { return try .succeeded(TestReservation(reservationID: "res-\(command.sagaID)")) }
            return .succeeded(nil)
        }
        try await QueryPlanTests.runOrderSagas(sagas, participant)
    }

    /// The scans in `sql`'s generic plan that read a growing table whole, or one of its indexes
    /// whole when the index is not a partial one of pending work (`"Seq Scan on outbox"`, `"Index
    /// Scan using saga_instance_pkey"`).
    static func unboundedScans(of sql: String, in store: PostgresSagaStore) async throws -> [String] {
        let parameters = (1...max(1, sql.count)).last { sql.contains("$\($0)") } ?? 0
        let plan = try await store.transaction("explain") { transaction in
            try transaction.query("SET LOCAL enable_seqscan = off")
            try transaction.query("SET LOCAL plan_cache_mode = force_generic_plan")
            try transaction.query(PostgresQuery(unsafeSQL: "PREPARE planned AS \(sql)"))
            let nulls = parameters == 0 ? "" : "(" + Array(repeating: "NULL", count: parameters).joined(separator: ", ") + ")"
            let json = try transaction.query(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) EXECUTE planned\(nulls)")).rows.first?["QUERY PLAN"]
                .decode(ByteBuffer.self)
            try transaction.query("DEALLOCATE planned")
            return json.map { String(buffer: $0) } ?? ""
        }
        let root = try JSONSerialization.jsonObject(with: Data(plan.utf8)) as? [[String: Any]]
        var scans: [String] = []
        func visit(_ node: [String: Any]) {
            let type = node["Node Type"] as? String ?? ""
            if type == "Seq Scan", let table = node["Relation Name"] as? String, tables.contains(table) {
                scans.append("Seq Scan on \(table)")
            }
            if type.hasSuffix("Index Scan") || type == "Index Only Scan", node["Index Cond"] == nil,
                let index = node["Index Name"] as? String, !boundedIndexes.contains(index),
                tables.contains(where: { index.hasPrefix($0) })
            {
                scans.append("\(type) using \(index)")
            }
            for child in node["Plans"] as? [[String: Any]] ?? [] { visit(child) }
        }
        for entry in root ?? [] { if let node = entry["Plan"] as? [String: Any] { visit(node) } }
        #expect(root?.isEmpty == false, "no plan for \(sql): \(plan)")
        return scans
    }
}
