import Kafka
import Logging
import SagaCore
import ServiceLifecycle

/// A participant as a running swift-service-lifecycle `Service`: consumes its command topics, runs its handler for each
/// command (deduplicated, in a local transaction with its reply) and relays the replies.
public struct SagaParticipantService<Store: ParticipantStore>: Service {
    /// The processing core.
    public let participant: SagaParticipant<Store>
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
    /// Work before each message is processed and on each published record.
    public let hooks: KafkaConsumptionHooks
    /// How much the outbox relay sends at once.
    public let relayLimits: OutboxRelayLimits
    private let logger: Logger

    /// Creates the service; `relayLimits` sizes the outbox relay's batches.
    public init(
        participant: SagaParticipant<Store>, kafka: KafkaConfiguration, topics: [String], groupID: String? = nil,
        retry: RetryPolicy = .exponential(maxAttempts: 5, initial: .milliseconds(100)),
        logger: Logger = Logger(label: "saga.participant"), metrics: SagaMetrics = SagaMetrics(),
        hooks: KafkaConsumptionHooks = .none, relayLimits: OutboxRelayLimits = .default
    ) {
        self.relayLimits = relayLimits
        self.hooks = hooks
        self.metrics = metrics
        self.participant = participant
        self.kafka = kafka
        self.groupID = groupID ?? participant.consumerName
        self.topics = topics
        self.retry = retry
        self.logger = logger
    }

    /// Runs until the task is cancelled, a graceful shutdown is triggered, or the consumer fails.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.consume() }
    }

    private func consume() async throws {
        let participant = self.participant
        try await KafkaServiceRunner.run(
            kafka: kafka, groupID: groupID, topics: topics, store: participant.store,
            outboxDoorbell: participant.outboxDoorbell, service: participant.consumerName, retry: retry, logger: logger,
            metrics: metrics,
            classify: SagaParticipant<Store>.classify,
            hooks: hooks, relayLimits: relayLimits,
            process: { message in _ = try await participant.process(message) },
            processBatch: { messages in _ = try await participant.process(batch: messages) }
        )
    }
}
