// system-bench: the whole system end to end (every role in this process, as `saga-server --role
// all` runs them) on a local broker: order sagas and UPI transfers per second and their
// start → end latency at a fixed concurrency, beside the broker's own ceiling measured in the
// same run with bare clients (produce, and produce → consume) on records of the same size.
// Baseline and saga runs alternate for several rounds; the table shows the medians.
//
// Run with `scripts/bench-system` (release build, private broker).
// Options: --sagas, --in-flight, --rounds, --records (`scripts/bench-system --help`).
import SagaTestSupport
import AccountService
import ArgumentParser
import Foundation
import SystemPackage
import GRDB
import InventoryService
import Kafka
import Logging
import OrderService
import SagaContracts
import SagaCore
import SagaSQLite
import SagaSystem
import ServiceKit

/// The benchmark's options.
struct SystemBenchOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system-bench", abstract: "Order sagas and UPI transfers per second through the whole system, beside the broker's ceiling.")

    @Option(help: "Sagas of each kind per round.") var sagas = 1_000
    @Option(help: "Sagas unfinished at a time.") var inFlight = 200
    @Option(help: "Rounds; the table shows the medians.") var rounds = 3
    @Option(help: "Records per round of the broker baseline.") var records = 20_000
    @Option(help: "The orchestrator's SAGA_LIFECYCLE_EVENTS: all, terminal or none (the benchmark needs terminal or all).")
    var lifecycleEvents = "all"

    func validate() throws {
        for (name, value) in [("--sagas", sagas), ("--in-flight", inFlight), ("--rounds", rounds), ("--records", records)] where value <= 0 {
            throw ValidationError("\(name) must be more than 0, got \(value)")
        }
        guard ["all", "terminal"].contains(lifecycleEvents) else {
            throw ValidationError("--lifecycle-events must be all or terminal (sagas end on SagaCompleted), got \(lifecycleEvents)")
        }
    }
}

let options = SystemBenchOptions.parseOrExit()
let sagaCount = options.sagas
let inFlight = options.inFlight
let rounds = options.rounds
let baselineRecords = options.records
guard let servers = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] else {
    _ = try? FileDescriptor.standardError.writeAll("system-bench: KAFKA_BOOTSTRAP_SERVERS is not set (use scripts/bench-system)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(64)
}
let brokerPID = ProcessInfo.processInfo.environment["SAGA_BENCH_BROKER_PID"].flatMap { Int32($0) }
let logger: Logger = {
    var logger = Logger(label: "saga.system-bench")
    logger.logLevel = .error
    return logger
}()

/// Runs the whole benchmark and prints its table.
func runBenchmark() async throws {
    // The system, every role in this process, on a fresh topic prefix and data directory.
    let directory = NSTemporaryDirectory() + "system-bench-" + UUID().uuidString
    let prefix = "sysbench\(UUID().uuidString.prefix(6).lowercased())."
    let settings = try SagaServerSettings(environment: [
        "SAGA_ROLE": "all", "KAFKA_BOOTSTRAP_SERVERS": servers, "SAGA_DATA_DIR": directory, "SAGA_TOPIC_PREFIX": prefix,
        "SAGA_CONSUMER_GROUP_PREFIX": prefix, "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0", "SAGA_LOG_LEVEL": "error",
        "SAGA_PAYMENT_LIMIT_MINOR": "1000000000", "SAGA_LIFECYCLE_EVENTS": options.lifecycleEvents,
        // In process, through no HTTP route: the benchmark calls the services directly.
        "SAGA_AUTH_DISABLED": "true",
    ])
    let topics = settings.topics
    try await TopicProvisioner(kafka: settings.kafka, topics: topics, partitions: 3, logger: logger).createTopics()
    let system = try await SagaSystem(settings: settings, logger: logger)
    let components = system.components
    guard let orders = components.orders, let inventory = components.inventory, let accounts = components.accounts,
        let producer = components.producer
    else { throw BenchError("role all is missing a part") }

    // Enough stock and money for every saga to complete.
    let product = UUID()
    try await inventory.addStock(productID: product, sku: "BENCH-1", units: 1_000_000_000)
    let vpas = ["payer.one@benchbank", "payer.two@benchbank", "payee.one@benchbank", "payee.two@benchbank"]
    for vpa in vpas {
        try await accounts.open(vpa: vpa, holder: vpa, perTransactionLimitMinor: 1_000_000, dailyLimitMinor: 1_000_000_000_000)
        try await accounts.deposit(vpa: vpa, amountMinor: 1_000_000_000_000)
    }
    let placeOrder: @Sendable (UUID) async throws -> Void = { id in
        let line = OrderLine(productID: product, sku: "BENCH-1", quantity: 1, unitPriceMinor: 1_999)
        guard try await orders.placeOrder(orderID: id, customerID: UUID(), lines: [line], currency: "INR", paymentToken: "tok_visa")
            == .placed
        else { throw BenchError("order \(id) was already placed") }
    }
    let requestTransfer: @Sendable (UUID) async throws -> Void = { id in
        let pair = Int.random(in: 0..<2)
        // What `POST /transfers` does: publish the request and await the broker's ack.
        _ = try await producer.send(KafkaMessage(try StartEvent.transferRequested(
            transferID: id, payer: vpas[pair], payee: vpas[pair + 2], amountMinor: 100, source: "system-bench",
            topic: topics.transferRequested)))
    }

    let group = try system.serviceGroup(gracefulShutdownSignals: [])
    let service = Task { try await group.run() }
    let ends = SagaEnds()
    let watcher = Task { try await ends.watch(topic: topics.events, kafka: settings.kafka, logger: logger) }
    var endings = ends.endings.makeAsyncIterator()

    /// Every message the system has written (all outboxes; each row is one Kafka record).
    func messagesWritten() async throws -> Int {
        var total = 0
        // The benchmark runs every role on its SQLite file (no SAGA_DATABASE_URL).
        for case let (_, store as SQLiteSagaStore) in components.stores {
            total += try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
        }
        return total
    }

    print("system-bench: \(sagaCount) sagas per run, \(inFlight) in flight, \(rounds) rounds, baseline \(baselineRecords) records, "
        + "lifecycle events \(options.lifecycleEvents); "
        + "librdkafka \(LibrdkafkaVersion.string)")
    // Warm-up: the consumer groups join (Tansu delays a first join), connections and caches fill.
    _ = try await drive(count: 20, inFlight: 20, ends: ends, endings: &endings, start: placeOrder)
    _ = try await drive(count: 20, inFlight: 20, ends: ends, endings: &endings, start: requestTransfer)

    // The baseline's records are shaped like the system's: the mean key and value size of what the
    // outboxes hold, and the four headers every saga record carries.
    var (keyBytes, valueBytes) = (36, 200)
    if let store = components.orchestratorStore as? SQLiteSagaStore {
        (keyBytes, valueBytes) = try await store.pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT AVG(LENGTH(key)), AVG(LENGTH(value)) FROM outbox")
            return (Int((row?[0] as Double?) ?? 36), Int((row?[1] as Double?) ?? 200))
        }
    }
    let payload = [UInt8](repeating: 0x61, count: valueBytes)
    let keyLength = keyBytes
    let ceiling = BrokerCeiling(kafka: settings.kafka, records: baselineRecords, record: { topic, index in
        let id = UUID().uuidString.lowercased()
        return KafkaMessage(topic: topic, key: Array(String(id.prefix(keyLength)).utf8), value: payload, headers: [
            KafkaHeader(name: SagaHeaders.messageType, value: "swiftsaga.bench.Record"),
            KafkaHeader(name: SagaHeaders.messageID, value: id), KafkaHeader(name: SagaHeaders.sagaID, value: id),
            KafkaHeader(name: SagaHeaders.contentType, value: SagaContracts.singleObjectContentType),
        ])
    }, logger: logger)
    print("records: key \(keyBytes) B, value \(valueBytes) B, 4 headers (the mean of the system's outbox records)")

    var produced: [Measurement] = [], roundTrips: [Measurement] = [], orderRuns: [Measurement] = [], transferRuns: [Measurement] = []
    var orderMessages: [Double] = [], transferMessages: [Double] = []
    let admin = try KafkaAdmin(configuration: settings.kafka, logger: logger)
    for round in 1...rounds {
        let produceTopic = "\(prefix)bench.produce.\(round)", pingTopic = "\(prefix)bench.roundtrip.\(round)"
        try await admin.createTopics([produceTopic, pingTopic].map { KafkaTopicSpecification(name: $0, partitions: 3) })
        produced.append(try await ceiling.produce(topic: produceTopic))
        roundTrips.append(try await ceiling.roundTrip(topic: pingTopic))
        var before = try await messagesWritten()
        orderRuns.append(try await drive(count: sagaCount, inFlight: inFlight, ends: ends, endings: &endings, start: placeOrder))
        var after = try await messagesWritten()
        orderMessages.append(Double(after - before) / Double(sagaCount))
        before = after
        transferRuns.append(try await drive(count: sagaCount, inFlight: inFlight, ends: ends, endings: &endings, start: requestTransfer))
        after = try await messagesWritten()
        // + the TransferRequested each request publishes itself.
        transferMessages.append(Double(after - before) / Double(sagaCount) + 1)
        print(String(format: "round %d: produce %.0f rec/s, produce→consume %.0f rec/s, orders %.0f/s (p50 %.1f ms, p99 %.1f ms), "
            + "transfers %.0f/s (p50 %.1f ms, p99 %.1f ms)", round, produced[round - 1].perSecond, roundTrips[round - 1].perSecond,
            orderRuns[round - 1].perSecond, orderRuns[round - 1].p50 ?? 0, orderRuns[round - 1].p99 ?? 0,
            transferRuns[round - 1].perSecond, transferRuns[round - 1].p50 ?? 0, transferRuns[round - 1].p99 ?? 0))
    }

    watcher.cancel()
    _ = await watcher.result
    // Graceful: the consumers finish and commit, the producer flushes.
    await group.triggerGracefulShutdown()
    try await service.value
    try? FileManager.default.removeItem(atPath: directory)

    print(Report(produce: produced, roundTrip: roundTrips, orders: orderRuns, transfers: transferRuns,
        orderMessages: orderMessages, transferMessages: transferMessages, brokerMeasured: brokerPID != nil).table)
}

try await runBenchmark()
