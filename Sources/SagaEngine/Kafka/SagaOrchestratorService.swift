import Kafka
import Logging

/// The orchestrator as a running service: consumes the reply topics of its saga definitions
/// and the topics of its start triggers, fires durable timers, and relays its outbox to Kafka.
///
/// ```swift
/// let service = SagaOrchestratorService(
///     orchestrator: orchestrator, kafka: KafkaConfiguration(bootstrapServers: ["localhost:9092"]),
///     triggers: [SagaTrigger(topic: "order.placed", sagaType: "order") { message in ... }]
/// )
/// try await service.run()   // until the task is cancelled
/// ```
///
/// Each consumed message is processed in one local transaction (inbox + state + outbox); its
/// offset is stored only after that transaction committed (or after its DLQ record was
/// acknowledged), so a crash at any point redelivers rather than loses it.
public struct SagaOrchestratorService: Sendable {
    /// The processing core.
    public let orchestrator: SagaOrchestrator
    /// Broker settings (bootstrap servers, security); the group id is set from ``groupID``.
    public let kafka: KafkaConfiguration
    /// The consumer group.
    public let groupID: String
    /// Topics that start sagas.
    public let triggers: [SagaTrigger]
    /// Retries of transient processing failures before a message is dead-lettered.
    public let retry: RetryPolicy
    private let logger: Logger

    /// Creates the service.
    public init(
        orchestrator: SagaOrchestrator, kafka: KafkaConfiguration, groupID: String = "saga-orchestrator",
        triggers: [SagaTrigger] = [], retry: RetryPolicy = .exponential(maxAttempts: 5, initial: .milliseconds(100)),
        logger: Logger = Logger(label: "saga.orchestrator")
    ) {
        self.orchestrator = orchestrator
        self.kafka = kafka
        self.groupID = groupID
        self.triggers = triggers
        self.retry = retry
        self.logger = logger
    }

    /// The topics consumed: every reply topic and every trigger topic.
    public var topics: [String] {
        Array(Set(orchestrator.registry.replyTopics + triggers.map(\.topic))).sorted()
    }

    /// Runs until the task is cancelled or the consumer fails.
    public func run() async throws {
        let orchestrator = self.orchestrator
        let triggers = self.triggers
        let timers = SagaTimerService(orchestrator: orchestrator, logger: logger)
        try await KafkaServiceRunner.run(
            kafka: kafka, groupID: groupID, topics: topics, store: orchestrator.store,
            outboxDoorbell: orchestrator.outboxDoorbell, service: orchestrator.consumerName, retry: retry, logger: logger,
            metrics: orchestrator.metrics,
            classify: SagaOrchestrator.classify,
            process: { message in try await orchestrator.process(message, triggers: triggers) },
            extra: { await timers.run() }
        )
    }
}

/// A participant as a running service: consumes its command topics, runs its handler for each
/// command (deduplicated, in a local transaction with its reply) and relays the replies.
public struct SagaParticipantService: Sendable {
    /// The processing core.
    public let participant: SagaParticipant
    /// Broker settings.
    public let kafka: KafkaConfiguration
    /// The consumer group (defaults to the participant's consumer name).
    public let groupID: String
    /// The command topics.
    public let topics: [String]
    /// Retries of transient handler failures before a command is dead-lettered.
    public let retry: RetryPolicy
    /// Counts processed and dead-lettered commands and records the consumer lag.
    public let metrics: SagaMetrics
    private let logger: Logger

    /// Creates the service.
    public init(
        participant: SagaParticipant, kafka: KafkaConfiguration, topics: [String], groupID: String? = nil,
        retry: RetryPolicy = .exponential(maxAttempts: 5, initial: .milliseconds(100)),
        logger: Logger = Logger(label: "saga.participant"), metrics: SagaMetrics = SagaMetrics()
    ) {
        self.metrics = metrics
        self.participant = participant
        self.kafka = kafka
        self.groupID = groupID ?? participant.consumerName
        self.topics = topics
        self.retry = retry
        self.logger = logger
    }

    /// Runs until the task is cancelled or the consumer fails.
    public func run() async throws {
        let participant = self.participant
        try await KafkaServiceRunner.run(
            kafka: kafka, groupID: groupID, topics: topics, store: participant.store,
            outboxDoorbell: participant.outboxDoorbell, service: participant.consumerName, retry: retry, logger: logger,
            metrics: metrics,
            classify: SagaParticipant.classify,
            process: { message in _ = try await participant.process(message) }
        )
    }
}
