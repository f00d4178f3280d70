import Foundation
import GRDB
import Kafka
import Logging
import Synchronization
import SagaEngine
import SagaTestSupport
import Testing

/// The broker `scripts/test` started.
enum Broker {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "KAFKA_BOOTSTRAP_SERVERS is not set: run these tests through ./scripts/test, which starts a broker"
        }
    }

    static func configuration() throws -> KafkaConfiguration {
        guard let value = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"], !value.isEmpty else {
            throw Missing()
        }
        var config = KafkaConfiguration(bootstrapServers: value.split(separator: ",").map(String.init))
        config.linger = .milliseconds(1)
        // Tansu delays a group's first join by about half the session timeout: keep it short.
        config.sessionTimeout = .milliseconds(6000)
        config.heartbeatInterval = .milliseconds(500)
        config.autoCommitInterval = .milliseconds(200)
        return config
    }

    static let logger: Logger = {
        var logger = Logger(label: "saga.kafka-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["SAGA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()
}

/// Thrown when a condition a test waits for does not hold in time (a hang guard, not a speed check).
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ what: String, within seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TimedOut(what: what)
}

/// One test's world on the real broker: unique topics, an orchestrator service with its own
/// SQLite file, and the test participants (inventory, payments, shipping) as one participant
/// service with its own SQLite file, all running until ``stop()``.
final class SagaWorld: Sendable {
    let prefix: String
    let directory: TemporaryDirectory
    let kafka: KafkaConfiguration
    let orchestratorStore: SQLiteSagaStore
    let participantStore: SQLiteSagaStore
    let orchestrator: SagaOrchestrator
    let startTopic: String
    let eventsTopic: String
    let producer: KafkaProducer
    /// The running services (guarded by the mutex: services may be started after init).
    private let tasks = Mutex<[Task<Void, any Error>]>([])
    private let participantService: SagaParticipantService

    /// Topics of this world.
    var inventory: String { prefix + "inventory.commands" }
    var payments: String { prefix + "payments.commands" }
    var shipping: String { prefix + "shipping.commands" }
    var replies: String { prefix + Fixtures.replyTopic }

    init(
        definition: ((String) throws -> SagaDefinition<OrderData>)? = nil, extraTopics: [String] = [],
        lifecycleEncoder: any SagaLifecycleEncoder = JSONLifecycleEncoder(), startParticipants: Bool = true
    ) async throws {
        prefix = "t\(UUID().uuidString.prefix(8).lowercased())."
        directory = try TemporaryDirectory()
        kafka = try Broker.configuration()
        startTopic = prefix + "order.placed"
        eventsTopic = prefix + "saga.events"
        let prefix = self.prefix
        let topics = ["inventory.commands", "payments.commands", "shipping.commands", Fixtures.replyTopic, "order.placed", "saga.events"]
            .map { prefix + $0 } + extraTopics.map { prefix + $0 }
        let admin = try KafkaAdmin(configuration: kafka, logger: Broker.logger)
        try await admin.createTopics((topics + topics.map(DeadLetterRecord.topic(for:))).map {
            KafkaTopicSpecification(name: $0, partitions: 2)
        })
        let saga = try definition?(prefix) ?? Fixtures.orderSaga(prefix: prefix)
        orchestratorStore = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        participantStore = try SQLiteSagaStore(path: directory.file("participants.sqlite"))
        try await participantStore.pool.write { db in try TestParticipants.migrate(db) }
        orchestrator = SagaOrchestrator(
            registry: try SagaRegistry([saga]), store: orchestratorStore, lifecycleTopic: prefix + "saga.events",
            lifecycleEncoder: lifecycleEncoder
        )
        let participant = SagaParticipant(store: participantStore, consumerName: "test-participants", handler: TestParticipants.handle)
        producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        let orchestratorService = SagaOrchestratorService(
            orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator",
            triggers: [SagaTrigger(topic: prefix + "order.placed", sagaType: "order") { message in
                let data = try OrderData.decodePayload(message.value)
                return (String(decoding: message.key, as: UTF8.self), try data.encodePayload())
            }],
            retry: .exponential(maxAttempts: 2, initial: .milliseconds(10)), logger: Broker.logger
        )
        participantService = SagaParticipantService(
            participant: participant, kafka: kafka,
            topics: [prefix + "inventory.commands", prefix + "payments.commands", prefix + "shipping.commands"],
            groupID: prefix + "participants", retry: .exponential(maxAttempts: 2, initial: .milliseconds(10)), logger: Broker.logger
        )
        tasks.withLock { $0.append(Task { try await orchestratorService.run() }) }
        if startParticipants { startParticipantService() }
    }

    /// Starts the test participants' service (when the world was made without it).
    func startParticipantService() {
        let service = participantService
        tasks.withLock { $0.append(Task { try await service.run() }) }
    }

    /// Publishes a start event for `sagaID` with `orderID` (which steers the test participants).
    func placeOrder(_ sagaID: String, orderID: String? = nil, messageID: String? = nil) async throws {
        let data = try OrderData(orderID: orderID ?? sagaID, amount: 100).encodePayload()
        _ = try await producer.send(KafkaMessage(
            topic: startTopic, key: Array(sagaID.utf8), value: data,
            headers: [KafkaHeader(name: SagaEngineHeaders.messageID, value: messageID ?? "start-\(sagaID)")]
        ))
    }

    /// Waits until `sagaID` reaches a status for which `done` holds, and returns the state.
    @discardableResult
    func waitFor(_ sagaID: String, within seconds: Double = 60, _ done: @escaping (SagaStatus) -> Bool = \.isTerminal)
        async throws -> SagaState
    {
        var last: SagaState?
        try await eventually("saga \(sagaID) (last: \(String(describing: last?.status)))", within: seconds) {
            last = try await orchestratorStore.load(sagaID: sagaID)
            return last.map { done($0.status) } ?? false
        }
        return try #require(last)
    }

    /// The actions the participants carried out for `sagaID`, in order.
    func ledger(_ sagaID: String) async throws -> [String] {
        try await participantStore.pool.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM ledger WHERE saga_id = ? ORDER BY seq", arguments: [sagaID])
        }
    }

    /// Reads records of `topic` from the start, until `enough` holds for what was read.
    func consume(_ topic: String, within seconds: Double = 60, until enough: @escaping @Sendable ([InboundMessage]) -> Bool)
        async throws -> [InboundMessage]
    {
        var config = kafka
        config.groupID = "reader-" + UUID().uuidString.lowercased()
        let consumer = try KafkaConsumer(configuration: config, logger: Broker.logger)
        try consumer.subscribe(to: [topic])
        let reader = Task { () throws -> [InboundMessage] in
            var seen: [InboundMessage] = []
            for try await message in consumer.messages {
                seen.append(InboundMessage(message))
                if enough(seen) { break }
            }
            return seen
        }
        let guardTask = Task {
            try await Task.sleep(for: .seconds(seconds))
            reader.cancel()
        }
        defer { guardTask.cancel() }
        let seen = try await reader.value
        await consumer.close()
        guard enough(seen) else { throw TimedOut(what: "records on \(topic)") }
        return seen
    }

    /// Stops every service (as a graceful shutdown) and waits for them.
    func stop() async {
        let running = tasks.withLock { $0 }
        for task in running { task.cancel() }
        for task in running { _ = await task.result }
        await producer.shutdown(timeout: .seconds(5))
    }
}
