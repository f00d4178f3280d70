import SagaContracts
import AccountService
import Foundation
import SagaAPI
import GRDB
import Kafka
import OrderService
import PaymentService
import SagaDev
import SagaCore
import SagaSQLite
import SagaSystem
import SagaTestSupport
import ServiceKit
import Testing

/// Issue 6, item 2: both sagas through the local multi-process topology — every role its own
/// `saga-server` process on the suite's broker — with the payment role stopped while orders
/// are placed, and the account role SIGKILLed in the middle of a batch of transfers.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LocalTopologyTests {
    /// The token the workload starts sagas with.
    static let producer = AccessToken.generate(name: "topology-producer", role: .producer)

    @Test func bothSagasSurviveAStoppedPaymentRoleAndAKilledAccountRole() async throws {
        let kafka = try Broker.configuration()
        let prefix = "topo\(UUID().uuidString.prefix(6).lowercased())."
        let topics = SagaTopics(prefix: prefix)
        let directory = try TestDirectory("saga-topology")
        try await TopicProvisioner(kafka: kafka, topics: topics, partitions: 2, logger: Broker.logger).createTopics()
        let topology = LocalTopology(configuration: .init(
            server: try BuiltExecutables.sagaServer(), bootstrapServers: kafka.bootstrapServers.joined(separator: ","),
            dataDirectory: directory.url,
            settings: [
                "SAGA_TOPIC_PREFIX": prefix, "SAGA_CONSUMER_GROUP_PREFIX": prefix, "SAGA_SEED_DEMO_DATA": "true",
                // Attempts time out after 5 s and are retried for minutes: a role down for a while only delays sagas.
                "SAGA_STEP_TIMEOUT_SECONDS": "5", "SAGA_STEP_MAX_ATTEMPTS": "60",
                "SAGA_LOG_FORMAT": "text", "SAGA_LOG_LEVEL": "info", "SAGA_SHUTDOWN_TIMEOUT_SECONDS": "20",
                // Every role checks the same tokens; the api role forwards the caller's to the order role.
                "SAGA_AUTH_TOKENS": Self.producer.entry.entry,
            ]
        ))
        // The refusing payee (credits rejected → the payer is refunded) opened before the account role starts.
        do {
            let accounts = try await AccountService(path: topology.databasePath(of: .account))
            try await DemoData.seed(accounts)
            try await DemoWorkload.prepare(accounts)
        }
        let startTotal = DemoData.totalOpeningBalanceMinor + DemoWorkload.refusingPayeeOpeningBalanceMinor
        let started = ContinuousClock.now
        try await topology.start()
        print("LocalTopologyTests: 7 roles ready in \(ContinuousClock.now - started)")
        // A failure stops every role before the error propagates: no saga-server outlives the test.
        do {
            try await scenario(topology, kafka: kafka, topics: topics, startTotal: startTotal)
        } catch {
            await topology.stopAll()
            throw error
        }
    }

    private func scenario(_ topology: LocalTopology, kafka: KafkaConfiguration, topics: SagaTopics, startTotal: Int64)
        async throws
    {
        let sagas = try SQLiteSagaStore(path: topology.databasePath(of: .orchestrator))
        // Every saga starts through the api role, as a client's request would: it publishes
        // transfers itself and forwards orders to the order role.
        let starter = HTTPSagaStarter(baseURL: try #require(await topology.url(of: .api)), token: Self.producer.token)
        func status(_ id: UUID) async throws -> SagaStatus? { try await sagas.load(sagaID: text(id))?.status }

        // 1. A transfer through every process.
        let first = try await starter.requestTransfer(WorkloadTransfer(payer: "alice@okbank", payee: "bob@okbank", amountMinor: 100_00))
        try await eventually("the first transfer to complete", within: 120) { try await status(first) == .completed }

        // 2. Payment down (SIGTERM: a graceful stop) while orders are placed: they wait at the payment step.
        // Tansu 0.6.0 keeps a member that leaves a still-forming group as the group's leader, and
        // that group never assigns again: stop the payment role only once its consumer owns its
        // partitions (docs/local-development.md).
        let paymentLog = topology.logFile(of: .payment)
        try await eventually("the payment role's consumer to be assigned \(topics.paymentCommands)[0] and [1]", within: 120) {
            let assigned = ((try? String(contentsOf: paymentLog, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("Kafka consumer assigned") }
            return (0..<2).allSatisfy { partition in assigned.contains { $0.contains("\(topics.paymentCommands)[\(partition)]") } }
        }
        let paymentPort = await topology.port(of: .payment)
        #expect(await topology.stop(.payment) == 0, "payment stops gracefully")
        let orders = try await placeOrders(starter, [
            ("MOUSE-002", 1, "tok_visa"), ("CABLE-004", 3, "tok_visa"), ("KBD-001", 1, PaymentSimulator.declineToken),
        ])
        try await eventually("the orders to reach the payment step", within: 120) {
            for id in orders { guard try await sagas.load(sagaID: text(id))?.stepIndex ?? 0 >= 1 else { return false } }
            return true
        }
        // A payment request of each order times out (SAGA_STEP_TIMEOUT_SECONDS=5) and is sent
        // again; the sagas keep waiting rather than giving up.
        try await eventually("a payment request of each order to time out and be retried", within: 120) {
            for id in orders { guard try await sagas.load(sagaID: text(id))?.attempt ?? 0 >= 2 else { return false } }
            return true
        }
        for id in orders { #expect(try await status(id) == .running, "order \(id) waits for payment") }
        try await topology.start(.payment)
        #expect(await topology.port(of: .payment) == paymentPort, "a role keeps its port across restarts")
        try await eventually("every order saga to end after payment is back", within: 180) {
            for id in orders { guard let s = try await status(id), s.isTerminal || s == .failed else { return false } }
            return true
        }
        #expect(try await status(orders[0]) == .completed)
        #expect(try await status(orders[1]) == .completed)
        #expect(try await status(orders[2]) == .compensated, "the declined card releases the stock and cancels the order")

        // 3. Account role SIGKILLed in the middle of a batch of transfers.
        let pairs = [("alice@okbank", "bob@okbank"), ("bob@okbank", "carol@paybank"), ("carol@paybank", "dave@paybank"),
                     ("dave@paybank", "alice@okbank"), ("alice@okbank", DemoWorkload.refusingPayee)]
        var transfers: [UUID] = []
        for index in 0..<60 {
            let (payer, payee) = pairs[index % pairs.count]
            transfers.append(try await starter.requestTransfer(WorkloadTransfer(payer: payer, payee: payee, amountMinor: Int64(100 + index))))
        }
        try await eventually("some transfers to finish before the kill", within: 120) {
            // One query per check, so the kill follows the fifth finished transfer closely (the first one is done already).
            let tally = try await SagaTally.read(sagas)
            return tally.count("transfer", "completed") + tally.count("transfer", "compensated") - 1 >= 5
        }
        #expect(await topology.kill(.account) == 128 + SIGKILL)
        var finishedAtKill = 0
        for id in transfers where try await status(id)?.isTerminal == true { finishedAtKill += 1 }
        print("LocalTopologyTests: account role killed with \(finishedAtKill) of \(transfers.count) transfers finished")
        #expect(finishedAtKill < transfers.count, "the kill lands mid-batch")
        try await topology.start(.account)
        try await eventually("every transfer to end after the restart", within: 300) {
            for id in transfers { guard let s = try await status(id), s.isTerminal || s == .failed else { return false } }
            return true
        }
        var outcomes: [SagaStatus: Int] = [:]
        for id in transfers { outcomes[try #require(await status(id)), default: 0] += 1 }
        print("LocalTopologyTests: transfer outcomes \(outcomes)")
        #expect(outcomes[.failed] == nil, "every transfer completed or compensated")
        #expect(outcomes[.compensated] == transfers.count / pairs.count, "exactly the transfers to the refusing payee are refunded")

        let statuses = await topology.stopAll()
        #expect(statuses.count == 7)
        #expect(statuses.values.allSatisfy { $0 == 0 }, "every role stops gracefully: \(statuses)")

        // Money is conserved: read the account role's database after it stopped.
        let accounts = try await AccountService(path: topology.databasePath(of: .account))
        let totals = try await accounts.totals()
        #expect(totals.clearing == 0)
        #expect(totals.balances == startTotal)
        #expect(totals.balances + totals.clearing == totals.netDeposits)
        for id in transfers + [first] {
            let kinds = try await accounts.postings(transferID: id).map(\.kind).sorted()
            #expect(kinds == ["CREDIT", "DEBIT"] || kinds == ["DEBIT", "REFUND"], "transfer \(id) applied once: \(kinds)")
        }
    }

    /// Places orders through `POST /orders` of the api role (forwarded to the order role).
    private func placeOrders(_ starter: HTTPSagaStarter, _ items: [(sku: String, quantity: Int32, token: String)]) async throws -> [UUID] {
        var ids: [UUID] = []
        for (index, item) in items.enumerated() {
            let product = try #require(DemoData.products.first { $0.sku == item.sku })
            ids.append(try await starter.placeOrder(WorkloadOrder(
                customerID: DemoData.customers[index % DemoData.customers.count],
                lines: [OrderLine(productID: product.productID, sku: product.sku, quantity: item.quantity, unitPriceMinor: product.unitPriceMinor)],
                currency: DemoData.currency, paymentToken: item.token)))
        }
        return ids
    }
}
