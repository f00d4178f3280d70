import Foundation
import GRDB
import Kafka
import Logging
import Synchronization
import SagaCore
import SagaKafka
import SagaSQLite
import SagaAvro
import SagaTestSupport
import Testing

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
    private let participantService: SagaParticipantService<SQLiteSagaStore>

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
        // Live steps get a reply timeout no loaded test machine reaches; timeout tests pass their own.
        let saga = try definition?(prefix) ?? Fixtures.orderSaga(prefix: prefix, timeout: .seconds(30))
        orchestratorStore = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        participantStore = try SQLiteSagaStore(path: directory.file("participants.sqlite"))
        try await participantStore.pool.write { db in try TestParticipants.migrate(db) }
        orchestrator = SagaOrchestrator(
            registry: try SagaRegistry([Fixtures.orderRegistration(saga, prefix: prefix)]), store: orchestratorStore, lifecycleTopic: prefix + "saga.events",
            lifecycleEncoder: lifecycleEncoder
        )
        let participant = SagaParticipant(store: participantStore, consumerName: "test-participants", handler: TestParticipants.handle)
        producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        let orchestratorService = SagaOrchestratorService(
            orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator",
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
            headers: [KafkaHeader(name: SagaHeaders.messageID, value: messageID ?? "start-\(sagaID)")]
        ))
    }

    /// Waits until `sagaID` reaches a status for which `done` holds, and returns the state.
    @discardableResult
    func waitFor(_ sagaID: String, within seconds: Double = 120, _ done: @escaping (SagaStatus) -> Bool = \.isTerminal)
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

    /// Reads `topic` from the start with a fresh group until `enough` holds for what was read.
    func consume(_ topic: String, within seconds: Double = 60, until enough: @escaping @Sendable ([InboundMessage]) -> Bool)
        async throws -> [InboundMessage]
    {
        try await readRecords(of: topic, kafka: kafka, within: seconds, until: enough)
    }

    /// Stops every service (as a graceful shutdown) and waits for them.
    func stop() async {
        let running = tasks.withLock { $0 }
        for task in running { task.cancel() }
        for task in running { _ = await task.result }
        await producer.shutdown(timeout: .seconds(5))
    }
}
