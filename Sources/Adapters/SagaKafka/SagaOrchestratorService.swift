import Kafka
import Logging
import SagaCore
import ServiceLifecycle

/// The orchestrator as a running swift-service-lifecycle `Service`: consumes the reply topics of its saga definitions
/// and the topics of its start triggers, fires durable timers, and relays its outbox to Kafka.
///
/// ```swift
/// let service = SagaOrchestratorService(
///     orchestrator: orchestrator, kafka: KafkaConfiguration(bootstrapServers: ["localhost:9092"])
/// )
/// try await service.run()   // until the task is cancelled
/// ```
///
/// Each consumed message is processed in one local transaction (inbox + state + outbox); its
/// offset is stored only after that transaction committed (or after its DLQ record was
/// acknowledged), so a crash at any point redelivers rather than loses it.
public struct SagaOrchestratorService: Service {
    /// The processing core.
    public let orchestrator: SagaOrchestrator
    /// Broker settings (bootstrap servers, security); the group id is set from ``groupID``.
    public let kafka: KafkaConfiguration
    /// The consumer group.
    public let groupID: String
    /// Retries of transient processing failures before a message is dead-lettered.
    public let retry: RetryPolicy
    /// Work before each message is processed and on each published record.
    public let hooks: KafkaConsumptionHooks
    /// How long after it started a finished saga's details are kept (see
    /// ``SagaStore/purgeFinished(startedBefore:limit:)``); `nil` keeps them for ever.
    public let finishedSagaRetention: Duration?
    /// How much the outbox relay sends at once.
    public let relayLimits: OutboxRelayLimits
    private let logger: Logger

    /// Creates the service; with `finishedSagaRetention`, the housekeeping also removes the
    /// details of sagas that finished and started longer ago than that, keeping their tombstones;
    /// `relayLimits` sizes the outbox relay's batches.
    public init(
        orchestrator: SagaOrchestrator, kafka: KafkaConfiguration, groupID: String = "saga-orchestrator",
        retry: RetryPolicy = .exponential(maxAttempts: 5, initial: .milliseconds(100)),
        logger: Logger = Logger(label: "saga.orchestrator"), hooks: KafkaConsumptionHooks = .none,
        finishedSagaRetention: Duration? = nil, relayLimits: OutboxRelayLimits = .default
    ) {
        self.relayLimits = relayLimits
        self.hooks = hooks
        self.finishedSagaRetention = finishedSagaRetention
        self.orchestrator = orchestrator
        self.kafka = kafka
        self.groupID = groupID
        self.retry = retry
        self.logger = logger
    }

    /// The topics consumed: every reply topic and every start topic of the orchestrator's registry.
    public var topics: [String] { orchestrator.registry.consumedTopics }

    /// Runs until the task is cancelled, a graceful shutdown is triggered, or the consumer fails.
    /// On the way out the consumer finishes its in-flight messages, commits and leaves its group.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.consume() }
    }

    private func consume() async throws {
        let orchestrator = self.orchestrator
        let timers = SagaTimerService(orchestrator: orchestrator, logger: logger)
        try await KafkaServiceRunner.run(
            kafka: kafka, groupID: groupID, topics: topics, store: orchestrator.store,
            outboxDoorbell: orchestrator.outboxDoorbell, service: orchestrator.consumerName, retry: retry, logger: logger,
            metrics: orchestrator.metrics,
            classify: SagaOrchestrator.classify,
            hooks: hooks, finishedSagaRetention: finishedSagaRetention, relayLimits: relayLimits,
            process: { message in try await orchestrator.process(message) },
            processBatch: { messages in try await orchestrator.process(batch: messages) },
            extra: { await timers.run() }
        )
    }
}
