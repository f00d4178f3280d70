import AccountService
import Foundation
import GRDB
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
    /// or its PostgreSQL schema when `SAGA_DATABASE_URL` is set.
    public let orchestratorStore: (any SagaReportStore)?
    /// The PostgreSQL stores the parts opened (one per role, in its schema), whose connection
    /// pools run as services of the group; empty on SQLite.
    public let postgresStores: [PostgresSagaStore]
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
    /// role's database — its SQLite file, or its schema of the PostgreSQL database when
    /// `SAGA_DATABASE_URL` is set — and, with `seedDemoData`, seeds the demo products and accounts
    /// (on PostgreSQL the service group does, once the stores' pools run: ``seedDemoData(logger:)``).
    ///
    /// - Throws: ``PostgresStoreError`` when a PostgreSQL store cannot be opened (unreachable,
    ///   refused, missing database), never with the password; the store's or service's error otherwise.
    public init(settings: SagaServerSettings, logger: Logger) async throws {
        self.settings = settings
        let roles = Set(settings.role.members)
        if settings.database == nil, settings.role == .all || settings.databasePath == nil {
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        }
        let topics = settings.topics
        var opened: [PostgresSagaStore] = []
        /// The store of a participant `role`: its schema on PostgreSQL, else its SQLite file.
        func serviceStore(_ role: Role, _ migrations: [PostgresMigration], sqlite: @escaping @Sendable (Database) throws -> Void)
            async throws -> ServiceStore
        {
            guard let database = settings.postgres(for: role) else {
                return try await ServiceStore.sqlite(path: settings.databasePath(for: role), migrate: sqlite)
            }
            let store = try await ServiceStore.postgres(database, migrations: migrations, logger: logger)
            logger.info("\(role) store on PostgreSQL", metadata: ["database": "\(database)"])
            if let postgres = store.postgres { opened.append(postgres) }
            return store
        }
        if roles.contains(.orchestrator) {
            let store: any SagaReportStore
            if let database = settings.postgres(for: .orchestrator) {
                let postgres = try await PostgresSagaStore.open(database, logger: logger)
                logger.info("orchestrator store on PostgreSQL", metadata: ["database": "\(database)"])
                opened.append(postgres)
                store = postgres
            } else {
                store = try SQLiteSagaStore(path: settings.databasePath(for: .orchestrator))
            }
            orchestratorStore = store
            orchestrator = SagaOrchestrator(
                registry: try SagaRegistry(SagaCatalog.registrations(settings.catalogOptions)),
                store: store, lifecycleTopic: topics.events, lifecycleEncoder: SagaLifecycleAvroEncoder(),
                timelineRetention: settings.timelineRetention, lifecycleEvents: settings.lifecycleEvents
            )
        } else {
            orchestratorStore = nil
            orchestrator = nil
        }
        orders = roles.contains(.order)
            ? OrderService(store: try await serviceStore(.order, OrderStore.postgresMigrations, sqlite: OrderStore.migrate),
                orderPlacedTopic: topics.orderPlaced) : nil
        inventory = roles.contains(.inventory)
            ? InventoryService(store: try await serviceStore(.inventory, InventoryStore.postgresMigrations, sqlite: InventoryStore.migrate))
            : nil
        payments = roles.contains(.payment)
            ? PaymentService(store: try await serviceStore(.payment, PaymentStore.postgresMigrations, sqlite: PaymentStore.migrate),
                simulator: PaymentSimulator(defaultLimitMinor: settings.paymentLimitMinor)) : nil
        accounts = roles.contains(.account)
            ? AccountService(store: try await serviceStore(.account, AccountStore.postgresMigrations, sqlite: AccountStore.migrate)) : nil
        notifications = roles.contains(.notification)
            ? NotificationService(store: try await serviceStore(
                .notification, NotificationStore.postgresMigrations, sqlite: NotificationStore.migrate)) : nil
        // The API publishes commands; the orchestrator role replays dead letters.
        if roles.contains(.api) || roles.contains(.orchestrator) {
            var configuration = settings.kafka
            configuration.idempotence = true
            configuration.acks = .all
            producer = try KafkaProducer(configuration: configuration, logger: logger)
        } else {
            producer = nil
        }
        if roles.contains(.api) {
            if let database = settings.postgres(for: .api) {
                let ledger = try await IdempotencyLedger.open(database, logger: logger)
                if let postgres = ledger.postgres { opened.append(postgres) }
                idempotencyLedger = ledger
            } else {
                idempotencyLedger = try IdempotencyLedger(path: settings.databasePath(for: .api))
            }
        } else {
            idempotencyLedger = nil
        }
        postgresStores = opened
        // On PostgreSQL the stores work once their pools run: the service group seeds first thing.
        if settings.seedDemoData, opened.isEmpty { try await seedDemoData(logger: logger) }
    }

    /// Seeds the demo products and accounts into the inventory and account roles this process
    /// runs: idempotent, also when replicas seed at once (each seeding takes a lock).
    public func seedDemoData(logger: Logger) async throws {
        if let inventory {
            let added = try await DemoData.seed(inventory)
            logger.info("demo products seeded", metadata: ["added": "\(added)"])
        }
        if let accounts {
            let opened = try await DemoData.seed(accounts)
            logger.info("demo accounts seeded", metadata: ["opened": "\(opened)"])
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
