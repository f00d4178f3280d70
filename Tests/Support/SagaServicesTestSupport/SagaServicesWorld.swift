import AccountService
import Foundation
import GRDB
import InventoryService
import Kafka
import NotificationService
import OrderService
import PaymentService
import SagaContracts
import SagaCore
import SagaKafka
import SagaSQLite
import SagaTestSupport
import SagaCatalog
import ServiceKit

/// One test's deployment on the real broker: topics under a unique prefix, the orchestrator
/// running both sagas, and the five services (each with its own SQLite file, consumer group
/// and outbox relay) plus the notification dispatcher, all running until ``stop()``. The account
/// and inventory services run `accountHandler` and `inventoryHandler` (their real handlers unless
/// a test wraps them to inject faults). Topics get `partitions` partitions (1 gives a total order to read back).
public final class SagaServicesWorld: Sendable {
    public let topics: SagaTopics
    public let directory: TemporaryDirectory
    public let kafka: KafkaConfiguration
    public let orchestratorStore: SQLiteSagaStore
    public let orders: OrderService
    public let inventory: InventoryService
    public let payments: PaymentService
    public let accounts: AccountService
    public let notifications: NotificationService
    public let producer: KafkaProducer
    private let tasks: [Task<Void, any Error>]

    public init(
        partitions: Int32 = 2,
        accountHandler: @escaping SagaParticipant<ServiceStore>.Handler = AccountService.handle,
        inventoryHandler: @escaping SagaParticipant<ServiceStore>.Handler = InventoryService.handle
    ) async throws {
        let prefix = "s\(UUID().uuidString.prefix(8).lowercased())."
        topics = SagaTopics(prefix: prefix)
        directory = try TemporaryDirectory()
        kafka = try Broker.configuration()
        let admin = try KafkaAdmin(configuration: kafka, logger: Broker.logger)
        try await admin.createTopics((topics.all + topics.all.map(DeadLetterRecord.topic(for:))).map {
            KafkaTopicSpecification(name: $0, partitions: partitions)
        })
        orchestratorStore = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        orders = try await OrderService(path: directory.file("orders.sqlite"), orderPlacedTopic: topics.orderPlaced)
        inventory = try await InventoryService(path: directory.file("inventory.sqlite"))
        payments = try await PaymentService(path: directory.file("payments.sqlite"), simulator: PaymentSimulator(defaultLimitMinor: 500_000))
        accounts = try await AccountService(path: directory.file("accounts.sqlite"))
        notifications = try await NotificationService(path: directory.file("notifications.sqlite"))
        producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)

        let retry = RetryPolicy.exponential(maxAttempts: 3, initial: .milliseconds(100), jitter: 0)
        // Reply timeouts no loaded test machine reaches: these tests are about outcomes, not timeouts.
        let orchestrator = SagaOrchestrator(
            registry: try SagaRegistry(SagaCatalog.registrations(
                SagaCatalog.Options(topics: topics, stepTimeout: .seconds(30), stepRetry: retry, afterPivotRetry: retry)
            )),
            store: orchestratorStore, lifecycleTopic: topics.events, lifecycleEncoder: SagaLifecycleAvroEncoder()
        )
        let consumerRetry = RetryPolicy.exponential(maxAttempts: 2, initial: .milliseconds(10))
        let orchestratorService = SagaOrchestratorService(
            orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator",
            retry: consumerRetry, logger: Broker.logger
        )
        let participants: [(SagaParticipant<ServiceStore>, String)] = [
            (orders.participant, topics.orderCommands),
            (SagaParticipant(store: inventory.store, consumerName: InventoryService.name, prepare: InventoryService.prepare, handler: inventoryHandler), topics.inventoryCommands),
            (payments.participant, topics.paymentCommands),
            (SagaParticipant(store: accounts.store, consumerName: AccountService.name, prepare: AccountService.prepare, handler: accountHandler), topics.accountCommands),
            (notifications.participant, topics.notificationCommands),
        ]
        let kafka = self.kafka
        var tasks: [Task<Void, any Error>] = [Task { try await orchestratorService.run() }]
        for (participant, topic) in participants {
            let service = SagaParticipantService(
                participant: participant, kafka: kafka, topics: [topic], groupID: prefix + participant.consumerName,
                retry: consumerRetry, logger: Broker.logger
            )
            tasks.append(Task { try await service.run() })
        }
        let dispatcher = notifications.dispatcher(channel: LogNotificationChannel(logger: Broker.logger), logger: Broker.logger)
        tasks.append(Task { await dispatcher.run() })
        self.tasks = tasks
    }

    /// Publishes a `TransferRequested` as the UPI front end would; `messageID` distinguishes resends.
    public func requestTransfer(_ transferID: UUID, from payer: String, to payee: String, amountMinor: Int64, messageID: UUID = UUID())
        async throws
    {
        _ = try await producer.send(KafkaMessage(try StartEvent.transferRequested(
            transferID: transferID, payer: payer, payee: payee, amountMinor: amountMinor, source: "upi-frontend", messageID: messageID,
            topic: topics.transferRequested)))
    }

    /// Publishes a `BillSettlementRequested` as the bill-splitting app would; `messageID` distinguishes resends.
    public func requestBillSettlement(
        _ billID: UUID, owner: String, shares: [(payer: String, amountMinor: Int64)], messageID: UUID = UUID()
    ) async throws {
        _ = try await producer.send(KafkaMessage(try StartEvent.billSettlementRequested(
            billID: billID, owner: owner, shares: shares, note: "dinner", source: "bill-app", messageID: messageID,
            topic: topics.billSettlementRequested)))
    }

    /// Waits until saga `id` has ended (completed, compensated, or parked as failed) and returns its state.
    @discardableResult
    public func waitForEnd(of id: UUID, within seconds: Double = 60) async throws -> SagaState {
        var last: SagaState?
        try await eventually("saga \(id) to end (last: \(String(describing: last?.status)))", within: seconds) {
            last = try await orchestratorStore.load(sagaID: text(id))
            return last.map { $0.status.isTerminal || $0.status == .failed } ?? false
        }
        guard let last else { throw TimedOut(what: "saga \(id) to exist") }
        return last
    }

    /// Whether the orchestrator has processed the start message `messageID`.
    public func orchestratorProcessed(messageID: UUID) async throws -> Bool {
        try await orchestratorStore.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbox WHERE message_id = ?", arguments: [text(messageID)]) ?? 0
        } > 0
    }

    /// Waits until every notification about `subject` was delivered, and returns them (kind, recipient).
    public func deliveredNotifications(about subject: UUID, count: Int) async throws -> [NotificationRecord] {
        var records: [NotificationRecord] = []
        try await eventually("\(count) delivered notifications about \(subject)") {
            records = try await notifications.notifications(about: subject)
            return records.count >= count && records.allSatisfy { $0.status == "DELIVERED" }
        }
        return records
    }

    /// Reads `topic` from the start with a fresh group until `enough` holds for what was read.
    public func consume(_ topic: String, within seconds: Double = 30, until enough: @escaping @Sendable ([InboundMessage]) -> Bool)
        async throws -> [InboundMessage]
    {
        try await readRecords(of: topic, kafka: kafka, within: seconds, until: enough)
    }

    /// Stops every service (a graceful shutdown) and waits for them.
    public func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        await producer.shutdown(timeout: .seconds(5))
    }
}
