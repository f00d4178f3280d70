import SagaContracts
import Kafka
import Logging
import SagaCore
import ServiceKit

/// Creates every topic of the system and its dead-letter topic (`<topic>.dlq`), each with
/// ``partitions`` partitions. Idempotent: topics that exist already are left as they are.
///
/// ```swift
/// try await TopicProvisioner(kafka: settings.kafka, topics: settings.topics, partitions: 3).createTopics()
/// ```
public struct TopicProvisioner: Sendable {
    /// Broker connection.
    public var kafka: KafkaConfiguration
    /// The topic set (with its prefix).
    public var topics: SagaTopics
    /// Partitions of each topic created (existing topics keep theirs).
    public var partitions: Int32
    /// Replication factor (`nil` = the broker's default).
    public var replicationFactor: Int16?
    private let logger: Logger

    /// Creates a provisioner.
    public init(
        kafka: KafkaConfiguration, topics: SagaTopics, partitions: Int32 = 3, replicationFactor: Int16? = nil,
        logger: Logger = Logger(label: "saga.topics")
    ) {
        self.kafka = kafka
        self.topics = topics
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.logger = logger
    }

    /// Every topic name: the saga topics, then their dead-letter topics.
    public var topicNames: [String] { Self.topicNames(topics) }

    /// Every topic name of `topics`: the saga topics and the audit topic, then their dead-letter topics.
    public static func topicNames(_ topics: SagaTopics) -> [String] {
        topics.provisioned + topics.provisioned.map(DeadLetterRecord.topic(for:))
    }

    /// The topic specifications created.
    public var specifications: [KafkaTopicSpecification] {
        topicNames.map { KafkaTopicSpecification(name: $0, partitions: partitions, replicationFactor: replicationFactor) }
    }

    /// Creates the topics that are missing and returns the names of those it created.
    ///
    /// - Throws: ``KafkaError`` naming the topic the broker refused, or a timeout.
    @discardableResult
    public func createTopics(timeout: Duration = .seconds(30)) async throws(KafkaError) -> [String] {
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        // Shut down here, not left to deinit: `sagactl` may exit right after.
        let missing = try await admin.shutdown { () async throws(KafkaError) -> [KafkaTopicSpecification] in
            let existing = Set(try await admin.listTopics(timeout: timeout).map(\.name))
            let missing = specifications.filter { !existing.contains($0.name) }
            try await admin.createTopics(missing, timeout: timeout)
            return missing
        }
        logger.info("topics ready", metadata: [
            "created": "\(missing.count)", "existing": "\(specifications.count - missing.count)", "partitions": "\(partitions)",
        ])
        return missing.map(\.name)
    }
}
