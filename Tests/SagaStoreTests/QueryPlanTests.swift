import Foundation
import GRDB
import SagaCore
import SagaSQLite
import SagaTestSupport
import Testing

/// The statements the per-message path runs never read a whole table: what an orchestrator and
/// a participant on SQLite ran for a few sagas end to end (starts, commands, replies, batches,
/// timers, the outbox relay, the purge of expired rows) is recorded, and each one's query plan
/// is read. A statement that
/// scans a table would make every message slower as the store grows.
@Suite struct QueryPlanTests {
    /// The indexes a scan may use: partial ones, which hold only the rows still to work on
    /// (pending outbox rows, sagas with a timer), not the finished past.
    static let boundedIndexes = ["outbox_pending", "saga_instance_deadline"]
    /// The tables that grow with every saga.
    static let tables = ["saga_instance", "saga_step_history", "saga_timeline", "saga_tombstone", "outbox", "inbox", "participant_reply", "ledger"]

    @Test func theMessagePathUsesIndexesOnly() async throws {
        let directory = try TemporaryDirectory()
        let orchestratorPath = directory.file("orchestrator.sqlite"), participantPath = directory.file("participant.sqlite")
        let sagas = try SQLiteSagaStore(path: orchestratorPath)
        let services = try SQLiteSagaStore(path: participantPath)
        try await services.pool.write { db in try TestParticipants.migrate(db) }
        SQLiteStatistics.record(databasesAt: [orchestratorPath, participantPath])

        let participant = SagaParticipant(store: services, consumerName: "participants", handler: TestParticipants.handle)
        try await Self.runOrderSagas(sagas, participant)

        var checked = 0
        for (path, store) in [(orchestratorPath, sagas), (participantPath, services)] {
            for sql in SQLiteStatistics.statements(ofDatabaseAt: path) where sql.hasPrefix("SELECT") || sql.hasPrefix("UPDATE")
                || sql.hasPrefix("DELETE") || sql.hasPrefix("INSERT")
            {
                // countByStatus reads every saga on purpose (the gauges, every 15 s), not per message.
                if sql.contains("GROUP BY status") { continue }
                let plan = try await store.pool.read { db in
                    let nulls = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
                    return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: nulls).map { $0["detail"] as String }
                }
                for step in plan where Self.tables.contains(where: { step.hasPrefix("SCAN \($0)") }) {
                    #expect(Self.boundedIndexes.contains { step.hasSuffix("INDEX \($0)") }, "\(sql) → \(plan)")
                }
                checked += 1
            }
        }
        #expect(checked >= 10, "statements recorded: \(checked)")
    }

    /// Four order sagas through the orchestrator on `sagas` and `participant`, relayed by hand
    /// (starts, commands, replies, alone and in batches), then the timers, the housekeeping's purge
    /// and the retention of finished sagas: every kind of statement the message path runs.
    static func runOrderSagas<Services: ParticipantStore>(
        _ sagas: any SagaStore, _ participant: SagaParticipant<Services>
    ) async throws {
        let services = participant.store
        let definition = try Fixtures.orderSaga()
        let orchestrator = SagaOrchestrator(
            registry: try SagaRegistry([Fixtures.orderRegistration(definition, prefix: "")]), store: sagas,
            lifecycleEncoder: JSONLifecycleEncoder()
        )
        let starts = try (0..<4).map { index in
            InboundMessage(topic: "order.placed", partition: 0, offset: Int64(index), timestampMilliseconds: nil,
                key: Array("plan-\(index)".utf8), value: try OrderData(orderID: "plan-\(index)", amount: 5).encodePayload(),
                headers: [SagaHeader(SagaHeaders.messageID, "start-\(index)")])
        }
        try await orchestrator.process(starts[0])
        try await orchestrator.process(batch: Array(starts.dropFirst()))
        for _ in 0..<definition.steps.count {
            let commands = try await relay(sagas, skipping: "saga.events")
            _ = try await participant.process(commands[0])
            _ = try await participant.process(batch: Array(commands.dropFirst()))
            let replies = try await relay(services, skipping: nil)
            try await orchestrator.process(replies[0])
            try await orchestrator.process(batch: Array(replies.dropFirst()))
        }
        _ = try await orchestrator.fireDueTimers(now: Date())
        _ = try await sagas.nextDeadline()
        // The housekeeping's purge runs beside the messages: it must not read the tables whole either.
        let anHourAgo = Date().addingTimeInterval(-3600)
        #expect(try await sagas.purge(before: anHourAgo, limit: 10) == 0)
        #expect(try await services.purge(before: anHourAgo, limit: 10) == 0)
        #expect(try await sagas.countByStatus() == [.completed: 4])
        // So does the retention of finished sagas: the four move to tombstones through the status index.
        #expect(try await sagas.purgeFinished(startedBefore: Date().addingTimeInterval(60), limit: 10) == 4)
        #expect(try await sagas.countByStatus().isEmpty)
    }

    /// What a broker would deliver: the pending outbox rows (those not to `skipping`), marked
    /// published by the relay's statements.
    static func relay(_ store: any SagaStore, skipping: String?) async throws -> [InboundMessage] {
        let rows = try await store.pendingOutbox(limit: 100)
        // The relay's read while batches are in flight skips their rows in the index.
        #expect(try await store.pendingOutbox(limit: 100, excluding: Set(rows.prefix(1).map(\.id))) == Array(rows.dropFirst()))
        try await store.markPublished(rows.map(\.id), at: Date())
        return rows.filter { $0.message.topic != skipping }.enumerated().map { index, row in
            InboundMessage(topic: row.message.topic, partition: 0, offset: Int64(index), timestampMilliseconds: nil,
                key: row.message.key, value: row.message.value, headers: row.message.headers)
        }
    }
}
