import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSystem
import SagaTestSupport
import ServiceKit
import Testing

/// `saga-server` with the orchestrator's store on the test PostgreSQL cluster (`SAGA_DATABASE_URL`):
/// a transfer runs end to end, and the password shows up nowhere, neither in the output nor in
/// `/readyz`; a URL that cannot work stops the process at start with status 78.
@Suite(.serialized, .enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct PostgresOrchestratorTests {
    private var url: PostgresDatabaseURL { get throws { try PostgresDatabaseURL(parsing: try #require(TestDatabase.url)) } }

    @Test func aTransferCompletesWithTheOrchestratorOnPostgreSQL() async throws {
        let deployment = try await SagaServerProcessTests.Deployment()
        defer { deployment.remove() }
        let url = try self.url
        let password = try #require(url.password)
        let schema = TestDatabase.freshSchema("orch")
        let server = try ServerProcess("saga-server --role all on PostgreSQL", environment: deployment.environment(role: .all, [
            "SAGA_SEED_DEMO_DATA": "true", "SAGA_DATABASE_URL": try #require(TestDatabase.url), "SAGA_DATABASE_SCHEMA": schema,
            "SAGA_LOG_LEVEL": "debug", "SAGA_DATABASE_MAX_CONNECTIONS": "3", "SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS": "20",
        ]))
        defer { server.killIfRunning() }
        let port = try await server.port()
        try await eventually("/readyz to answer 200") { try await httpGet(port: port, "/readyz").status == 200 }
        let readiness = try await httpGet(port: port, "/readyz").body
        #expect(readiness.contains("store:orchestrator") && !readiness.contains(password), "\(readiness)")

        let transfer = UUID()
        let producer = try KafkaProducer(configuration: deployment.kafka, logger: Broker.logger)
        try await SagaServerProcessTests().requestTransfer(
            transfer, from: DemoData.accounts[0].vpa, to: DemoData.accounts[1].vpa, amountMinor: 1_200, topics: deployment.topics, producer)
        let store = try await PostgresSagaStore.open(PostgresStoreConfiguration(url: url, schema: schema + "_orchestrator"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await SagaServerProcessTests().waitForEnd(of: transfer, in: store, server: server)
            #expect(try await store.load(sagaID: text(transfer))?.status == .completed)
            // The server's orchestrator connections (at most 3) and this store's one, named after the schema.
            let name = "saga:\(schema)_orchestrator"
            let connections = try await store.transaction("count the orchestrator's connections") { transaction in
                try transaction.query("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = \(name)").rows.first?["n"].decode(Int.self)
            }
            #expect((2...4).contains(connections ?? 0), "\(connections ?? 0) connections named \(name)")
        }
        let status = try await httpGet(port: port, "/sagas/\(text(transfer))")
        #expect(status.status == 200 && status.body.contains("completed"), "\(status.body)")
        #expect(try await server.terminate(within: 30) == 0, "\(server.text)")
        #expect(server.text.contains("postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)"), "the URL is logged without its password")
        #expect(!server.text.contains(password), "the password must never be printed")
        let files = try FileManager.default.contentsOfDirectory(atPath: deployment.directory.path)
        #expect(!files.contains("orchestrator.sqlite"))
    }

    enum Broken: String, CaseIterable, Sendable { case wrongPassword, missingDatabase, unreachableHost, unparsable }

    @Test(arguments: Broken.allCases)
    func aDatabaseThatCannotWorkStopsTheStartWithStatus78(_ broken: Broken) async throws {
        var url = try self.url
        let secret = "p4ss-\(UUID().uuidString.prefix(8))"
        var expected: String
        var text: String
        switch broken {
        case .wrongPassword:
            url.password = secret
            expected = "PostgreSQL at \(url.host):\(url.port) refused role '\(url.username)'"
        case .missingDatabase:
            url.database = "no_such_db"
            expected = "PostgreSQL at \(url.host):\(url.port) has no database 'no_such_db'"
        case .unreachableHost:
            url.password = secret
            url.port = 1
            expected = "PostgreSQL at \(url.host):1 is unreachable"
        case .unparsable:
            url.password = secret
            expected = "invalid SAGA_DATABASE_URL (--database-url)"
        }
        text = "postgres://\(url.username):\(url.password ?? "")@\(url.host):\(url.port)/\(url.database)"
        if broken == .unparsable { text += "?sslmode=sometimes" }
        let server = try ServerProcess("saga-server with a \(broken) database", environment: [
            "SAGA_ROLE": "orchestrator", "KAFKA_BOOTSTRAP_SERVERS": try Broker.configuration().bootstrapServers.joined(separator: ","),
            "KAFKA_FETCH_WAIT_MAX_MS": Broker.fetchWaitSetting,
            "SAGA_DATABASE_URL": text, "SAGA_LOG_FORMAT": "text", "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0",
            "SAGA_AUTH_TOKENS": SystemTokens.entries,
            "SAGA_DATA_DIR": FileManager.default.temporaryDirectory.appendingPathComponent("saga-pg-\(UUID().uuidString)").path,
        ])
        defer { server.killIfRunning() }
        try await eventually("saga-server to exit", within: 60) { server.exitStatus != nil }
        #expect(server.exitStatus == 78, "\(server.text)")
        #expect(server.text.contains(expected), "\(server.text)")
        if let password = url.password { #expect(!server.text.contains(password), "\(server.text)") }
    }
}
