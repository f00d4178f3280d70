import Foundation
import GRDB
import InMemoryTracing
import Kafka
import Logging
import Prometheus
import SagaCore
import SagaKafka
import SagaSQLite
import SagaAvro
import SagaObservability
import SagaTestSupport
import Synchronization
import Testing

/// Collects log lines (the sink of a ``JSONLogHandler``).
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var sink: JSONLogHandler.Sink { { line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }

    /// The lines parsed as JSON objects (a line that does not parse fails the test).
    func objects() throws -> [[String: Any]] {
        try all.map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "not a JSON object: \(line)")
        }
    }
}

/// The test order saga on the real broker with a private Prometheus registry, an in-memory
/// tracer and JSON logs captured: an orchestrator service and the test participants.
final class ObservedWorld: Sendable {
    let prefix: String
    let kafka: KafkaConfiguration
    let registry = PrometheusCollectorRegistry()
    /// The engine's metrics, recorded into ``registry``.
    let metrics: SagaMetrics
    let tracer = InMemoryTracer()
    let logs = LogLines()
    let orchestratorStore: SQLiteSagaStore
    let producer: KafkaProducer
    let directory: URL
    private let tasks = Mutex<[Task<Void, any Error>]>([])

    var startTopic: String { prefix + "order.placed" }
    var eventsTopic: String { prefix + "saga.events" }
    var replies: String { prefix + Fixtures.replyTopic }
    var commandTopics: [String] { ["inventory.commands", "payments.commands", "shipping.commands"].map { prefix + $0 } }

    init() async throws {
        prefix = "o\(UUID().uuidString.prefix(8).lowercased())."
        kafka = try Broker.configuration()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("observe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let prefix = self.prefix
        let topics = ["inventory.commands", "payments.commands", "shipping.commands", Fixtures.replyTopic, "order.placed", "saga.events"]
            .map { prefix + $0 }
        let admin = try KafkaAdmin(configuration: kafka, logger: Broker.logger)
        try await admin.createTopics((topics + topics.map(DeadLetterRecord.topic(for:))).map {
            KafkaTopicSpecification(name: $0, partitions: 2)
        })
        let metrics = SagaMetrics(factory: MetricsBootstrap.makeFactory(registry: registry), lagReportInterval: .milliseconds(200))
        self.metrics = metrics
        orchestratorStore = try SQLiteSagaStore(path: directory.appendingPathComponent("orchestrator.sqlite").path)
        let participantStore = try SQLiteSagaStore(path: directory.appendingPathComponent("participants.sqlite").path)
        try await participantStore.pool.write { db in try TestParticipants.migrate(db) }
        let orchestrator = SagaOrchestrator(
            registry: try SagaRegistry([Fixtures.orderRegistration(Fixtures.orderSaga(prefix: prefix, timeout: .seconds(30)), prefix: prefix)]), store: orchestratorStore,
            lifecycleTopic: prefix + "saga.events", lifecycleEncoder: JSONLifecycleEncoder(), metrics: metrics, tracer: tracer
        )
        let logger = Logger(label: "saga.test") { [logs] label in JSONLogHandler(label: label, level: .debug, sink: logs.sink) }
        let orchestratorService = SagaOrchestratorService(
            orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator",
            retry: .exponential(maxAttempts: 2, initial: .milliseconds(10)), logger: logger
        )
        let participantService = SagaParticipantService(
            participant: SagaParticipant(
                store: participantStore, consumerName: "test-participants", tracer: tracer, handler: TestParticipants.handle
            ),
            kafka: kafka, topics: ["inventory.commands", "payments.commands", "shipping.commands"].map { prefix + $0 }, groupID: prefix + "participants",
            retry: .exponential(maxAttempts: 2, initial: .milliseconds(10)), logger: logger, metrics: metrics
        )
        producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        tasks.withLock {
            $0.append(Task { try await orchestratorService.run() })
            $0.append(Task { try await participantService.run() })
        }
    }

    /// Publishes a start event for `sagaID` (the order id steers the test participants).
    func placeOrder(_ sagaID: String, orderID: String? = nil, traceparent: String? = nil) async throws {
        var headers = [KafkaHeader(name: SagaHeaders.messageID, value: "start-\(sagaID)")]
        if let traceparent { headers.append(KafkaHeader(name: SagaHeaders.traceparent, value: traceparent)) }
        let data = try OrderData(orderID: orderID ?? sagaID, amount: 100).encodePayload()
        _ = try await producer.send(KafkaMessage(topic: startTopic, key: Array(sagaID.utf8), value: data, headers: headers))
    }

    /// Waits until `sagaID` is completed or compensated.
    @discardableResult
    func waitForEnd(_ sagaID: String) async throws -> SagaState {
        var last: SagaState?
        try await eventually("saga \(sagaID) to end") {
            last = try await orchestratorStore.load(sagaID: sagaID)
            return last?.status.isTerminal ?? false
        }
        return try #require(last)
    }

    /// Reads `topic` from the start until `enough` holds for what was read.
    func consume(_ topic: String, until enough: @escaping @Sendable ([InboundMessage]) -> Bool) async throws -> [InboundMessage] {
        try await readRecords(of: topic, kafka: kafka, until: enough)
    }

    /// The registry's Prometheus text.
    var metricsText: String { registry.emitToString() }

    /// The value of the sample `name{labels}` in the registry's text (labels in the given order), if present.
    func sample(_ name: String, _ labels: [(String, String)]) -> Double? {
        let selector = name + "{" + labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
        for line in metricsText.split(separator: "\n") where line.hasPrefix(selector + " ") {
            return Double(line.dropFirst(selector.count + 1))
        }
        return nil
    }

    /// Stops the services and removes the databases.
    func stop() async {
        let running = tasks.withLock { $0 }
        for task in running { task.cancel() }
        for task in running { _ = await task.result }
        await producer.shutdown(timeout: .seconds(5))
        do { try FileManager.default.removeItem(at: directory) } catch { Issue.record("could not remove \(directory.path): \(error)") }
    }
}
