import AccountService
import Foundation
import Glibc
import Kafka
import OrderService
import SagaContracts
import SagaCore
import SagaDev
import SagaPostgres
import SagaSystem
import SagaTestSupport
import ServiceKit
import Testing

/// Every role on PostgreSQL: `saga-server --role all` with `SAGA_DATABASE_URL` keeps each role's
/// tables in its own schema (`<prefix>_<role>`) and runs transfers and an order end to end
/// through the real broker, with no SQLite file; a role whose database goes away answers
/// `/readyz` 503 naming the database's host (never the password), and is ready again when it returns.
@Suite(.serialized, .enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct PostgresRolesTests {
    private var url: PostgresDatabaseURL { get throws { try PostgresDatabaseURL(parsing: try #require(TestDatabase.url)) } }

    @Test func everyRoleOnPostgreSQLRunsTransfersAndAnOrderEndToEnd() async throws {
        let deployment = try await SagaServerProcessTests.Deployment()
        defer { deployment.remove() }
        let url = try self.url
        let password = try #require(url.password)
        let prefix = TestDatabase.freshSchema("all")
        let server = try ServerProcess("saga-server --role all, every role on PostgreSQL", environment: deployment.environment(role: .all, [
            "SAGA_SEED_DEMO_DATA": "true", "SAGA_DATABASE_URL": try #require(TestDatabase.url), "SAGA_DATABASE_SCHEMA": prefix,
        ]))
        defer { server.killIfRunning() }
        let port = try await server.port()
        try await eventually("/readyz to answer 200") { try await httpGet(port: port, "/readyz").status == 200 }
        try await deployment.waitForAssignments(of: server)

        // The test opens the order and account roles' schemas too, as further replicas would.
        let orders = try await OrderService(
            database: PostgresStoreConfiguration(url: url, schema: "\(prefix)_order"), orderPlacedTopic: deployment.topics.orderPlaced,
            logger: Broker.logger)
        let accounts = try await AccountService(database: PostgresStoreConfiguration(url: url, schema: "\(prefix)_account"), logger: Broker.logger)
        let sagas = try await PostgresSagaStore.open(PostgresStoreConfiguration(url: url, schema: "\(prefix)_orchestrator"), logger: Broker.logger)
        let pools = [orders.store.postgres, accounts.store.postgres, sagas].compactMap { $0 }.map { store in Task { try await store.run() } }
        defer { pools.forEach { $0.cancel() } }

        let producer = try KafkaProducer(configuration: deployment.kafka, logger: Broker.logger)
        let transfers = (0..<3).map { _ in UUID() }
        for transfer in transfers {
            try await SagaServerProcessTests().requestTransfer(transfer, from: DemoData.accounts[0].vpa, to: DemoData.accounts[1].vpa,
                amountMinor: 1_000, topics: deployment.topics, producer)
        }
        // Placed through this replica's outbox: the server's order role may relay it (the replicas share the outbox).
        let order = UUID()
        let product = DemoData.products[0]
        #expect(try await orders.placeOrder(orderID: order, customerID: DemoData.customers[0],
            lines: [OrderLine(productID: product.productID, sku: product.sku, quantity: 1, unitPriceMinor: product.unitPriceMinor)],
            currency: DemoData.currency, paymentToken: "tok_visa") == .placed)
        let relay = Task { try await Self.relay(orders, kafka: deployment.kafka) }
        defer { relay.cancel() }

        for saga in transfers + [order] { try await SagaServerProcessTests().waitForEnd(of: saga, in: sagas, server: server) }
        for transfer in transfers {
            #expect(try await sagas.load(sagaID: text(transfer))?.status == .completed)
            #expect(try await accounts.postings(transferID: transfer).map(\.kind).sorted() == ["CREDIT", "DEBIT"])
        }
        #expect(try await sagas.load(sagaID: text(order))?.status == .completed)
        try await eventually("the order to be confirmed") { try await orders.order(order)?.status == "CONFIRMED" }
        let totals = try await accounts.totals()
        #expect(totals.balances == DemoData.totalOpeningBalanceMinor && totals.clearing == 0, "seeded once, money conserved")

        #expect(try await server.terminate(within: 30) == 0, "\(server.text)")
        #expect(!server.text.contains(password), "the password must never be printed")
        let files = try FileManager.default.contentsOfDirectory(atPath: deployment.directory.path)
        #expect(!files.contains { $0.hasSuffix(".sqlite") }, "no role keeps a SQLite file: \(files)")
    }

    /// Publishes the test replica's outbox (its `OrderPlaced`), as its own relay would.
    private static func relay(_ orders: OrderService, kafka: KafkaConfiguration) async throws {
        let producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        while !Task.isCancelled {
            let pending = try await orders.store.pendingOutbox(limit: 10)
            if pending.isEmpty { return }
            for record in pending { _ = try await producer.send(KafkaMessage(record.message)) }
            try await orders.store.markPublished(pending.map(\.id), at: Date())
        }
    }

    @Test func aRoleWhoseDatabaseIsUnreachableIsNotReadyAndNamesTheHostUntilItReturns() async throws {
        let deployment = try await SagaServerProcessTests.Deployment()
        defer { deployment.remove() }
        var url = try self.url
        let password = try #require(url.password)
        let target = (host: url.host, port: url.port)
        let proxyPort = try Self.freePort()
        let proxy = try Self.proxy(from: proxyPort, to: target)
        defer { if proxy.isRunning { proxy.signal(SIGKILL) } }  // a failing test leaves no proxy behind
        try await Self.waitUntilListening(proxyPort)
        url.port = proxyPort
        let server = try ServerProcess("saga-server --role account behind a proxy", environment: deployment.environment(role: .account, [
            "SAGA_DATABASE_URL": Self.urlText(url, password: password), "SAGA_DATABASE_SCHEMA": TestDatabase.freshSchema("ready"),
        ]))
        defer { server.killIfRunning() }
        let port = try await server.port()
        try await eventually("/readyz to answer 200") { try await httpGet(port: port, "/readyz").status == 200 }

        _ = await proxy.terminate(timeout: .seconds(5))
        try await eventually("/readyz to answer 503", within: 60) { try await httpGet(port: port, "/readyz").status == 503 }
        let readiness = try await httpGet(port: port, "/readyz").body
        #expect(readiness.contains("store:account") && readiness.contains("\(url.host):\(proxyPort)"), "\(readiness)")
        #expect(!readiness.contains(password), "\(readiness)")

        let returned = try Self.proxy(from: proxyPort, to: target)
        defer { if returned.isRunning { returned.signal(SIGKILL) } }
        try await Self.waitUntilListening(proxyPort)
        try await eventually("/readyz to answer 200 again", within: 60) { try await httpGet(port: port, "/readyz").status == 200 }
        _ = await returned.terminate(timeout: .seconds(5))
        #expect(try await server.terminate(within: 30) == 0, "\(server.text)")
        #expect(!server.text.contains(password), "the password must never be printed")
    }

    private static func urlText(_ url: PostgresDatabaseURL, password: String) -> String {
        "postgres://\(url.username):\(password)@\(url.host):\(url.port)/\(url.database)"
    }

    /// Waits until something accepts connections on 127.0.0.1:`port`.
    private static func waitUntilListening(_ port: Int) async throws {
        try await eventually("the proxy to listen on \(port)", within: 30) {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            return withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }
    }

    /// A TCP port nothing listens on (bound once to port 0, then released).
    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        try #require(bound, "binding a probe socket failed")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A TCP forwarder from 127.0.0.1:`port` to `target` (a Python child): the database "goes
    /// away" when it stops, and "returns" when it starts again.
    private static func proxy(from port: Int, to target: (host: String, port: Int)) throws -> ChildProcess {
        let script = """
            asyncio = __import__('asyncio')
            async def pipe(r, w):
                try:
                    while data := await r.read(65536):
                        w.write(data); await w.drain()
                finally:
                    w.close()
            async def handle(r, w):
                tr, tw = await asyncio.open_connection('\(target.host)', \(target.port))
                await asyncio.gather(pipe(r, tw), pipe(tr, w), return_exceptions=True)
            async def main():
                server = await asyncio.start_server(handle, '127.0.0.1', \(port), reuse_address=True)
                async with server: await server.serve_forever()
            asyncio.run(main())
            """
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pg-proxy-\(UUID().uuidString).log")
        return try ChildProcess.launch(name: "pg-proxy", executable: "/usr/bin/env", arguments: ["python3", "-c", script],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], logFile: log)
    }
}
