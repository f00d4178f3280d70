import AccountService
import Foundation
import InventoryService
import Kafka
import Logging
import NotificationService
import SagaAPI
import OrderService
import PaymentService
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSQLite
import SagaCatalog
import ServiceKit

/// The opened parts of a running role (or of `all`): the stores and services it owns, for the
/// HTTP routes and for tests. A part is `nil` when the role does not run it.
public struct SagaSystemComponents: Sendable {
    /// The settings the parts were built from.
    public let settings: SagaServerSettings
    /// The topic names (with the prefix).
    public var topics: SagaTopics { settings.topics }
    /// orchestrator: the saga store (saga states, step history, outbox, inbox): its SQLite file,
    /// or ``postgresStore`` when `SAGA_DATABASE_URL` is set.
    public let orchestratorStore: (any SagaReportStore)?
    /// orchestrator on PostgreSQL: the store, whose connection pool runs as a service of the group.
    public let postgresStore: PostgresSagaStore?
    /// orchestrator: the processing core running both sagas.
    public let orchestrator: SagaOrchestrator?
    /// order: the order service (`placeOrder` writes the order and its `OrderPlaced` event).
    public let orders: OrderService?
    /// inventory: the inventory service.
    public let inventory: InventoryService?
    /// payment: the payment service.
    public let payments: PaymentService?
    /// account: the UPI account service.
    public let accounts: AccountService?
    /// notification: the notification service.
    public let notifications: NotificationService?
    /// api, orchestrator (and all): a producer for messages the HTTP routes publish themselves
    /// (`TransferRequested`, dead-letter replays), flushed on shutdown. Idempotent, acks=all.
    public let producer: KafkaProducer?
    /// api (and all): the idempotency keys of `POST /transfers` (`<data dir>/api.sqlite`).
    public let idempotencyLedger: IdempotencyLedger?

    /// Opens the parts `settings.role` runs: creates the data directory, opens (migrating) each
    /// role's SQLite database (the orchestrator's PostgreSQL store instead, when configured) and,
    /// with `seedDemoData`, seeds the demo products and accounts.
    ///
    /// - Throws: ``PostgresStoreError`` when the orchestrator's PostgreSQL store cannot be opened
    ///   (unreachable, refused, missing database); the store's or service's error otherwise.
    public init(settings: SagaServerSettings, logger: Logger) async throws {
        self.settings = settings
        let roles = Set(settings.role.members)
        if settings.role == .all || settings.databasePath == nil {
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        }
        let topics = settings.topics
        if roles.contains(.orchestrator) {
            let store: any SagaReportStore
            if let database = settings.orchestratorDatabase {
                let postgres = try await PostgresSagaStore.open(database, logger: logger)
                logger.info("orchestrator store on PostgreSQL", metadata: ["database": "\(database)"])
                postgresStore = postgres
                store = postgres
            } else {
                store = try SQLiteSagaStore(path: settings.databasePath(for: .orchestrator))
                postgresStore = nil
            }
            orchestratorStore = store
            orchestrator = SagaOrchestrator(
                registry: try SagaRegistry(SagaCatalog.registrations(settings.catalogOptions)),
                store: store, lifecycleTopic: topics.events, lifecycleEncoder: SagaLifecycleAvroEncoder(),
                timelineRetention: settings.timelineRetention
            )
        } else {
            orchestratorStore = nil
            postgresStore = nil
            orchestrator = nil
        }
        orders = roles.contains(.order)
            ? try await OrderService(path: settings.databasePath(for: .order), orderPlacedTopic: topics.orderPlaced) : nil
        inventory = roles.contains(.inventory) ? try await InventoryService(path: settings.databasePath(for: .inventory)) : nil
        payments = roles.contains(.payment)
            ? try await PaymentService(path: settings.databasePath(for: .payment),
                simulator: PaymentSimulator(defaultLimitMinor: settings.paymentLimitMinor)) : nil
        accounts = roles.contains(.account) ? try await AccountService(path: settings.databasePath(for: .account)) : nil
        notifications = roles.contains(.notification)
            ? try await NotificationService(path: settings.databasePath(for: .notification)) : nil
        if roles.contains(.api) || roles.contains(.orchestrator) {
            var configuration = settings.kafka
            configuration.idempotence = true
            configuration.acks = .all
            producer = try KafkaProducer(configuration: configuration, logger: logger)
        } else {
            producer = nil
        }
        idempotencyLedger = roles.contains(.api) ? try IdempotencyLedger(path: settings.databasePath(for: .api)) : nil
        if settings.seedDemoData {
            if let inventory {
                let added = try await DemoData.seed(inventory)
                logger.info("demo products seeded", metadata: ["added": "\(added)"])
            }
            if let accounts {
                let opened = try await DemoData.seed(accounts)
                logger.info("demo accounts seeded", metadata: ["opened": "\(opened)"])
            }
        }
    }

    /// The opened stores by role, for the readiness checks.
    public var stores: [(role: Role, store: any SagaStore)] {
        let all: [(Role, (any SagaStore)?)] = [
            (.orchestrator, orchestratorStore), (.order, orders?.store), (.inventory, inventory?.store),
            (.payment, payments?.store), (.account, accounts?.store), (.notification, notifications?.store),
        ]
        return all.compactMap { role, store in store.map { (role, $0) } }
    }
}

extension SagaServerSettings {
    /// The shipped sagas' topics and step policies under these settings.
    public var catalogOptions: SagaCatalog.Options {
        SagaCatalog.Options(topics: topics, stepTimeout: stepTimeout, stepRetry: stepRetry, afterPivotRetry: afterPivotRetry)
    }

    /// The retry policy of steps before the pivot (``stepMaxAttempts`` attempts).
    public var stepRetry: RetryPolicy { .exponential(maxAttempts: stepMaxAttempts, initial: .milliseconds(200)) }

    /// The retry policy of steps after the pivot and of compensations, which must finish: at
    /// least 20 attempts (or ``stepMaxAttempts`` if higher), backing off up to 30 s.
    public var afterPivotRetry: RetryPolicy {
        .exponential(maxAttempts: max(20, stepMaxAttempts), initial: .milliseconds(200), max: .seconds(30))
    }
}
