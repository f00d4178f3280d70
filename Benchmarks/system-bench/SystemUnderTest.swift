import AccountService
import Foundation
import GRDB
import InventoryService
import Kafka
import Logging
import OrderService
import PostgresNIO
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSQLite
import SagaSystem
import ServiceKit
import ServiceLifecycle

/// The whole system in one configuration: every role in this process (as `saga-server --role all`
/// runs them) on fresh topics and a fresh data directory or schema prefix, stock and money for
/// every saga, and for two orchestrators a `saga-server --role orchestrator` process beside it.
final class SystemUnderTest {
    let configuration: BenchConfiguration
    let settings: SagaServerSettings
    let components: SagaSystemComponents
    let placeOrder: @Sendable (UUID) async throws -> Void
    let requestTransfer: @Sendable (UUID) async throws -> Void

    /// The call that starts a saga of the kind at `index` in ``ConfigurationResult/kinds``: an order, then a transfer.
    func start(kind index: Int) -> @Sendable (UUID) async throws -> Void { index == 0 ? placeOrder : requestTransfer }
    let work: DatabaseWorkMeter
    let replica: ReplicaProcess?
    private let group: ServiceGroup
    private let service: Task<Void, any Error>
    private let directory: String

    /// What the environment gives: the broker, the PostgreSQL database, the replica's executable and port.
    struct Environment {
        var servers: String
        var databaseURL: String?
        var server: String?
        var replicaPort: Int?
        var pidFile: String?
        /// The orchestrators' `SAGA_LIFECYCLE_EVENTS`.
        var lifecycleEvents: String
    }

    init(_ configuration: BenchConfiguration, environment: Environment, logger: Logger) async throws {
        let directory = NSTemporaryDirectory() + "system-bench-" + UUID().uuidString
        let tag = UUID().uuidString.prefix(6).lowercased()
        let prefix = "sysbench\(tag)."
        var values = [
            "SAGA_ROLE": "all", "KAFKA_BOOTSTRAP_SERVERS": environment.servers, "KAFKA_FETCH_WAIT_MAX_MS": fetchWaitSetting, "KAFKA_LINGER_MS": lingerSetting,
            "SAGA_DATA_DIR": directory, "SAGA_TOPIC_PREFIX": prefix,
            "SAGA_CONSUMER_GROUP_PREFIX": prefix, "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0", "SAGA_LOG_LEVEL": logLevel.rawValue,
            "SAGA_PAYMENT_LIMIT_MINOR": "1000000000", "SAGA_LIFECYCLE_EVENTS": environment.lifecycleEvents,
            // In process, through no HTTP route: the benchmark calls the services directly.
            "SAGA_AUTH_DISABLED": "true",
        ]
        if configuration.store == .postgres {
            guard let url = environment.databaseURL else { throw BenchError("--store postgres needs SAGA_BENCH_DATABASE_URL (scripts/bench-system sets it)") }
            values["SAGA_DATABASE_URL"] = url
            values["SAGA_DATABASE_SCHEMA"] = "bench_\(tag)"
        }
        let settings = try SagaServerSettings(environment: values)
        let topics = settings.topics
        try await TopicProvisioner(kafka: settings.kafka, topics: topics, partitions: 3, logger: logger).createTopics()
        let system = try await SagaSystem(settings: settings, logger: logger)
        let components = system.components
        guard let orders = components.orders, let inventory = components.inventory, let accounts = components.accounts,
            let producer = components.producer
        else { throw BenchError("role all is missing a part") }
        let group = try system.serviceGroup(gracefulShutdownSignals: [])
        let service = Task { try await group.run() }
        let work: DatabaseWorkMeter
        if configuration.store == .postgres {
            guard let store = components.postgresStores.first else { throw BenchError("no PostgreSQL store opened") }
            try await DatabaseWorkMeter.prepare(store)
            work = .postgres(store)
        } else {
            work = .sqlite
        }

        // Enough stock and money for every saga to complete (on PostgreSQL, once the pools run), over
        // as many products and accounts as asked: few make hot rows every saga waits for.
        let products = (0..<options.products).map { _ in UUID() }
        for (index, product) in products.enumerated() {
            try await inventory.addStock(productID: product, sku: "BENCH-\(index + 1)", units: 1_000_000_000)
        }
        let pairs = (0..<options.accounts).map { ("payer.\($0)@benchbank", "payee.\($0)@benchbank") }
        for vpa in pairs.flatMap({ [$0.0, $0.1] }) {
            try await accounts.open(vpa: vpa, holder: vpa, perTransactionLimitMinor: 1_000_000, dailyLimitMinor: 1_000_000_000_000)
            try await accounts.deposit(vpa: vpa, amountMinor: 1_000_000_000_000)
        }

        var replica: ReplicaProcess?
        if configuration.orchestrators > 1 {
            guard let server = environment.server, let port = environment.replicaPort, let url = environment.databaseURL else {
                throw BenchError("two orchestrators need SAGA_BENCH_SERVER and SAGA_BENCH_REPLICA_PORT (scripts/bench-system sets them)")
            }
            // The same topics, consumer group and schema as the in-process orchestrator.
            let process = try ReplicaProcess(server: server, environment: [
                "KAFKA_BOOTSTRAP_SERVERS": environment.servers, "KAFKA_FETCH_WAIT_MAX_MS": fetchWaitSetting, "KAFKA_LINGER_MS": lingerSetting,
                "SAGA_TOPIC_PREFIX": prefix, "SAGA_CONSUMER_GROUP_PREFIX": prefix,
                "SAGA_DATABASE_URL": url, "SAGA_DATABASE_SCHEMA": settings.databaseSchema(for: .orchestrator),
                "SAGA_DATA_DIR": directory + "-replica", "SAGA_PAYMENT_LIMIT_MINOR": "1000000000",
                "SAGA_LIFECYCLE_EVENTS": environment.lifecycleEvents,
            ], port: port, logFile: directory + "-replica.log", pidFile: environment.pidFile)
            replica = process
            try await process.waitUntilReady()
        }

        self.configuration = configuration
        self.directory = directory
        self.settings = settings
        self.components = components
        self.group = group
        self.service = service
        self.work = work
        self.replica = replica
        placeOrder = { id in
            let index = Int.random(in: 0..<products.count)
            let line = OrderLine(productID: products[index], sku: "BENCH-\(index + 1)", quantity: 1, unitPriceMinor: 1_999)
            guard try await orders.placeOrder(orderID: id, customerID: UUID(), lines: [line], currency: "INR", paymentToken: "tok_visa")
                == .placed
            else { throw BenchError("order \(id) was already placed") }
        }
        requestTransfer = { id in
            let (payer, payee) = pairs[Int.random(in: 0..<pairs.count)]
            // What `POST /transfers` does: publish the request and await the broker's ack.
            _ = try await producer.send(KafkaMessage(try StartEvent.transferRequested(
                transferID: id, payer: payer, payee: payee, amountMinor: 100, source: "system-bench",
                topic: topics.transferRequested)))
        }
    }

    /// Every role's SQLite store: the orchestrator's, and the one under each participant service's.
    var sqliteStores: [(role: Role, store: SQLiteSagaStore)] {
        components.stores.compactMap { role, store in
            switch store {
            case let store as SQLiteSagaStore: (role, store)
            case let service as ServiceStore: if case .sqlite(let store) = service.backend { (role, store) } else { nil }
            default: nil
            }
        }
    }

    /// Every message the system has written so far: the rows of every role's outbox (each one Kafka record).
    func messagesWritten() async throws -> Int {
        switch work {
        case .sqlite:
            var total = 0
            for (_, store) in sqliteStores {
                total += try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
            }
            return total
        case .postgres(let store):
            let schemas = postgresSchemas.map(\.schema)
            return try await store.transaction("count outbox rows") { transaction in
                try schemas.reduce(0) { total, schema in
                    let result = try transaction.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*)::bigint AS n FROM \(schema).outbox"))
                    return total + Int(try result.rows.first?["n"].decode(Int64.self) ?? 0)
                }
            }
        }
    }

    /// The mean key and value size of the orchestrator's outbox records (the baseline's record shape).
    func recordShape() async throws -> (key: Int, value: Int) {
        switch work {
        case .sqlite:
            guard let store = components.orchestratorStore as? SQLiteSagaStore else { return (36, 200) }
            return try await store.pool.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT AVG(LENGTH(key)), AVG(LENGTH(value)) FROM outbox")
                return (Int((row?[0] as Double?) ?? 36), Int((row?[1] as Double?) ?? 200))
            }
        case .postgres(let store):
            let schema = settings.databaseSchema(for: .orchestrator)
            return try await store.transaction("outbox record sizes") { transaction in
                let row = try transaction.query(PostgresQuery(unsafeSQL:
                    "SELECT AVG(octet_length(key))::float8 AS k, AVG(octet_length(value))::float8 AS v FROM \(schema).outbox")).rows.first
                return (Int(try row?["k"].decode(Double?.self) ?? 36), Int(try row?["v"].decode(Double?.self) ?? 200))
            }
        }
    }

    /// Stops the replica, then the in-process system gracefully (the consumers finish and commit,
    /// the producer flushes), and removes the data directory unless `SAGA_BENCH_KEEP_DATA` is set
    /// (then it names it: each role's SQLite file, to follow a slow saga by its id).
    func stop() async throws {
        await replica?.stop()
        await group.triggerGracefulShutdown()
        try await service.value
        if keepData {
            say("\(configuration): the stores are kept in \(directory)")
            return
        }
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: directory + "-replica")
    }
}
