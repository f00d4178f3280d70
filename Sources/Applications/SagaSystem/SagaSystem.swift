import Foundation
import Hummingbird
import Kafka
import Logging
import NotificationService
import Prometheus
import SagaAPI
import SagaCore
import SagaKafka
import SagaPostgres
import SagaSQLite
import SagaAvro
import SchemaRegistry
import SagaCatalog
import ServiceKit
import ServiceLifecycle
import UnixSignals

/// The running system of one process: the parts of ``SagaServerSettings/role`` (every role for
/// `all`) as swift-service-lifecycle services — one Kafka consumer (with its outbox relay) per
/// role, the orchestrator's timers, the notification dispatcher, the api producer — and one HTTP
/// server, run by one `ServiceGroup` that shuts them down gracefully on SIGTERM/SIGINT.
///
/// ```swift
/// let settings = try SagaServerSettings(environment: ProcessInfo.processInfo.environment)
/// let system = try await SagaSystem(settings: settings, logger: logger)
/// try await system.run()   // until SIGTERM/SIGINT
/// ```
public struct SagaSystem: Sendable {
    /// The settings.
    public let settings: SagaServerSettings
    /// The opened stores and services.
    public let components: SagaSystemComponents
    /// Retries of transient processing failures before a message is dead-lettered.
    public var consumerRetry: RetryPolicy = .exponential(maxAttempts: 5, initial: .milliseconds(100))
    /// The registry `/metrics` serves (`nil`: no `/metrics` route).
    public let metricsRegistry: PrometheusCollectorRegistry?
    /// Confluent schema ids: this build's contracts (served at `/registry` by the api role and
    /// `all`), the external registry when configured, and the consumers' prefetch hook.
    public let schemas: SchemaResolution
    private let registryClient: SchemaRegistryClient?
    let admin: KafkaAdmin
    let logger: Logger

    /// Adds routes beyond the role's `SagaAPI` routes, given the process's components.
    public typealias RouteAdder = @Sendable (Router<SagaHTTPServer.Context>, SagaSystemComponents) -> Void

    /// Opens the role's stores (seeding demo data if asked) and the admin client of the readiness check.
    /// `metrics` is the registry `/metrics` serves (the one `MetricsBootstrap.bootstrap()` returned).
    ///
    /// - Throws: a `KafkaError` for a broker configuration librdkafka rejects, a store error if a
    ///   database cannot be opened or migrated, ``SchemaResolution/ContractsNotRegistered`` in
    ///   Confluent mode when the external registry does not have the contracts (or cannot be reached).
    public init(
        settings: SagaServerSettings, metrics: PrometheusCollectorRegistry? = nil, logger: Logger = Logger(label: "saga.system")
    ) async throws {
        self.settings = settings
        self.metricsRegistry = metrics
        self.logger = logger
        admin = try KafkaAdmin(configuration: settings.kafka, logger: logger)
        let client = try settings.schemaRegistry.map { configuration in
            try SchemaRegistryClient(configuration: configuration, logger: logger)
        }
        registryClient = client
        let contracts = try SchemaResolution.contractRegistry(topics: settings.topics)
        // Confluent mode with an external registry writes that registry's ids (looked up once, here).
        var producerIDs: [UInt64: Int32]?
        if settings.wireFormat == .confluent, let client {
            producerIDs = try await SchemaResolution.registeredIDs(of: contracts, in: client)
        }
        schemas = SchemaResolution(
            contracts: contracts, client: client,
            registryHost: settings.schemaRegistry.flatMap { URLComponents(string: $0.baseURL)?.host }, producerIDs: producerIDs,
            wireFormat: settings.wireFormat
        )
        components = try await SagaSystemComponents(settings: settings, logger: logger)
    }

    /// `/readyz`: the broker answers a metadata request listing the role's topics, every store
    /// (and the api's idempotency ledger) answers a read.
    public var readinessChecks: [ReadinessCheck] {
        var checks: [ReadinessCheck] = [.kafka(admin, topics: settings.topics.provisioned)]
        for (role, store) in components.stores {
            // A store on PostgreSQL names its server (never the password) when it cannot be read.
            let subject: String? = switch store {
            case let postgres as PostgresSagaStore: "PostgreSQL \(postgres.configuration)"
            case let service as ServiceStore: service.postgres.map { "PostgreSQL \($0.configuration)" }
            default: nil
            }
            checks.append(.store("store:\(role)", store, subject: subject))
        }
        if let ledger = components.idempotencyLedger { checks.append(.ledger(ledger)) }
        if registryClient != nil { checks.append(schemas.readinessCheck) }
        return checks
    }

    /// The Kafka-side services of the role, in start order (the orchestrator, then the
    /// participants, then the notification dispatcher), each with its name in logs. Each stops
    /// on graceful shutdown: it takes no new message, finishes those in flight and commits.
    public func consumingServices() -> [(name: String, service: any Service)] {
        let settings = self.settings
        let components = self.components
        let kafka = settings.kafka
        let retry = consumerRetry
        let topics = settings.topics
        let hooks = schemas.hooks
        var services: [(name: String, service: any Service)] = []
        if let orchestrator = components.orchestrator {
            let service = SagaOrchestratorService(
                orchestrator: orchestrator, kafka: kafka, groupID: settings.consumerGroup(for: .orchestrator),
                retry: retry, logger: logger, hooks: hooks, finishedSagaRetention: settings.finishedSagaRetention,
                relayLimits: settings.relayLimits
            )
            services.append(("orchestrator-consumer", service))
        }
        let participants: [(Role, SagaParticipant<ServiceStore>?, String)] = [
            (.order, components.orders?.participant, topics.orderCommands),
            (.inventory, components.inventory?.participant, topics.inventoryCommands),
            (.payment, components.payments?.participant, topics.paymentCommands),
            (.account, components.accounts?.participant, topics.accountCommands),
            (.notification, components.notifications?.participant, topics.notificationCommands),
        ]
        for case let (role, participant?, topic) in participants {
            let service = SagaParticipantService(
                participant: participant, kafka: kafka, topics: [topic], groupID: settings.consumerGroup(for: role),
                retry: retry, logger: logger, hooks: hooks, relayLimits: settings.relayLimits
            )
            services.append(("\(role)-consumer", service))
        }
        if let notifications = components.notifications {
            let channel: any NotificationChannel = settings.notificationWebhookURL.map { WebhookNotificationChannel(url: $0) }
                ?? LogNotificationChannel(logger: logger)
            let dispatcher = notifications.dispatcher(channel: channel, logger: logger)
            services.append(("notification-dispatcher", ConsumingService(name: "notification-dispatcher") { await dispatcher.run() }))
        }
        return services
    }

    /// The HTTP server with the role's API routes (``apiRoutes()``) and `addRoutes`'s.
    ///
    /// - Throws: `Upstream.InvalidURL` for an api role whose order or orchestrator URL is not http(s).
    public func httpServer(
        addRoutes: @escaping RouteAdder = { _, _ in },
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) throws -> SagaHTTPServer {
        let components = self.components
        return SagaHTTPServer(
            host: settings.httpHost, port: settings.httpPort, routes: try apiRoutes(), logger: logger,
            addRoutes: { router in addRoutes(router, components) }, onListening: onListening
        )
    }

    /// Every service of the process in one group. Graceful shutdown (on `gracefulShutdownSignals`
    /// or ``ServiceGroup/triggerGracefulShutdown()``) runs in reverse order: the HTTP server stops
    /// taking requests first, then the consumers (participants, then the orchestrator) finish their
    /// in-flight messages and commit, and the api producer flushes last. After
    /// ``SagaServerSettings/shutdownTimeout`` whatever still runs is cancelled.
    ///
    /// `extraServices` (e.g. the OTLP exporter) start first and so stop last.
    public func serviceGroup(
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        extraServices: [any Service] = [],
        addRoutes: @escaping RouteAdder = { _, _ in },
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) throws -> ServiceGroup {
        var services = extraServices.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        // The admin client (readiness, gauges, dead letters) is released after every service that
        // uses it has stopped, and before the process exits.
        let admin = self.admin
        services.append(.init(service: ConsumingService(name: "kafka-admin") {
            try? await gracefulShutdown()
            await admin.shutdown()
        }, serviceName: "kafka-admin"))
        // The PostgreSQL stores' connection pools start before and stop after every service using them.
        for store in components.postgresStores {
            services.append(.init(service: store, serviceName: "postgres-store:\(store.configuration.schema)"))
        }
        if settings.seedDemoData, !components.postgresStores.isEmpty {
            let components = self.components
            let logger = self.logger
            services.append(.init(service: ConsumingService(name: "demo-data") {
                try await components.seedDemoData(logger: logger)
                try? await gracefulShutdown()
            }, serviceName: "demo-data"))
        }
        if let producer = components.producer {
            services.append(.init(service: ProducerService(producer: producer, flushTimeout: .seconds(10), logger: logger)))
        }
        if let registryClient {
            services.append(.init(service: ConsumingService(name: "schema-registry-client") {
                try? await gracefulShutdown()
                try await registryClient.shutdown()
            }, serviceName: "schema-registry-client"))
        }
        for (name, service) in consumingServices() { services.append(.init(service: service, serviceName: name)) }
        for (name, service) in gaugeServices() { services.append(.init(service: service, serviceName: name)) }
        services.append(.init(
            service: try httpServer(addRoutes: addRoutes, onListening: onListening), serviceName: "http"
        ))
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: gracefulShutdownSignals,
            cancellationSignals: [], logger: logger)
        configuration.maximumGracefulShutdownDuration = settings.shutdownTimeout
        // A service that fails (an HTTP port in use) cancels the others; closing a consumer can
        // take seconds (its group leave and final commit), so cancellation gets the shutdown budget too.
        configuration.maximumCancellationDuration = settings.shutdownTimeout
        return ServiceGroup(configuration: configuration)
    }

    /// Runs ``serviceGroup(gracefulShutdownSignals:extraServices:addRoutes:onListening:)`` until it has shut down.
    public func run(
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        extraServices: [any Service] = [],
        addRoutes: @escaping RouteAdder = { _, _ in },
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) async throws {
        try await serviceGroup(gracefulShutdownSignals: gracefulShutdownSignals, extraServices: extraServices,
            addRoutes: addRoutes, onListening: onListening).run()
    }
}
