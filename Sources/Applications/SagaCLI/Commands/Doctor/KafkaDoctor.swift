import SagaContracts
import Kafka
import Logging
import SagaCore
import ServiceKit

/// The Kafka checks of `sagactl doctor`: the loaded librdkafka, the broker, the saga topics.
enum KafkaDoctor {
    /// The oldest librdkafka doctor accepts without a warning.
    static let recommendedVersion = 0x0203_0000
    /// Debian 12's packaged librdkafka (2.0.2), whose consumer-group and idempotence bugs the
    /// engine is known to hit.
    static let debianVersion = 0x0200_02ff

    /// The librdkafka this process loaded.
    static func librdkafka(loaded: Int = LibrdkafkaVersion.number, text: String = LibrdkafkaVersion.string) -> DoctorCheck {
        let fix = "run scripts/setup or install a current librdkafka (2.3 or later)"
        if loaded == debianVersion {
            return .fail("librdkafka", "\(text) loaded: Debian's 2.0.2, too old for the saga engine", fix: fix)
        }
        if loaded < recommendedVersion {
            return .warn("librdkafka", "\(text) loaded, older than 2.3", fix: fix)
        }
        return .ok("librdkafka", "\(text) loaded")
    }

    /// Whether the broker answers, with the configuration in use (redacted).
    static func broker(_ configuration: KafkaConfiguration, timeout: Duration, logger: Logger) async -> DoctorCheck {
        let servers = configuration.bootstrapServers.joined(separator: ",")
        do {
            let cluster = try await KafkaAdmin.checkConnectivity(configuration, timeout: timeout, logger: logger)
            let (seconds, attoseconds) = cluster.roundTrip.components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            return .ok("broker", "\(servers) answered in \(milliseconds) ms; \(cluster.brokers.count) broker(s): "
                + cluster.brokers.map(\.address).joined(separator: ", "))
        } catch {
            return .fail("broker", error.message, fix: fix(for: error))
        }
    }

    private static func fix(for error: KafkaError) -> String {
        switch error.code {
        case .ssl: "match KAFKA_SECURITY_PROTOCOL and the KAFKA_SSL_* files to the listener"
        case .authentication: "check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD against the listener"
        case .resolve: "check the host names in KAFKA_BOOTSTRAP_SERVERS"
        default: "start the broker or correct KAFKA_BOOTSTRAP_SERVERS (local: scripts/broker start)"
        }
    }

    /// The saga topics and their dead-letter topics: present, and each DLQ with at least its
    /// topic's partitions (a dead letter goes to the partition its message came from).
    static func topics(_ configuration: KafkaConfiguration, prefix: String, timeout: Duration, logger: Logger) async -> [DoctorCheck] {
        let listed: [KafkaTopicMetadata]
        do {
            listed = try await KafkaAdmin.withAdmin(configuration: configuration, logger: logger) { try await $0.listTopics(timeout: timeout) }
        } catch {
            let message = (error as? KafkaError)?.message ?? "\(error)"
            return [.fail("topics", "cannot list topics: \(message)", fix: "check the broker and the client's permissions (Describe on the cluster)")]
        }
        let partitions = Dictionary(listed.map { ($0.name, $0.partitions.count) }, uniquingKeysWith: { first, _ in first })
        let topics = SagaTopics(prefix: prefix).all
        let prefixNote = prefix.isEmpty ? "" : " (prefix \"\(prefix)\")"
        let creation = "create them with the partitions the system needs (sagactl dev, or the topic-initialisation step of docker-compose.yml)"

        func describe(_ names: [String]) -> String {
            names.map { name in "\(name):\(partitions[name].map(String.init) ?? "missing")" }.joined(separator: " ")
        }
        var checks: [DoctorCheck] = []
        let missingTopics = topics.filter { partitions[$0] == nil }
        checks.append(missingTopics.isEmpty
            ? .ok("saga topics", "\(topics.count) present\(prefixNote): " + describe(topics))
            : .fail("saga topics", "\(missingTopics.count) of \(topics.count) missing\(prefixNote): "
                + missingTopics.joined(separator: ", "), fix: creation))

        let dlqs = topics.map(DeadLetterRecord.topic(for:))
        let missingDLQs = dlqs.filter { partitions[$0] == nil }
        let narrow = topics.filter { topic in
            guard let count = partitions[topic], let dlq = partitions[DeadLetterRecord.topic(for: topic)] else { return false }
            return dlq < count
        }
        if !missingDLQs.isEmpty {
            checks.append(.fail("dead-letter topics", "\(missingDLQs.count) of \(dlqs.count) missing\(prefixNote): "
                + missingDLQs.joined(separator: ", "), fix: creation))
        } else if !narrow.isEmpty {
            checks.append(.fail("dead-letter topics", "fewer partitions than their topic: "
                + narrow.map { "\(DeadLetterRecord.topic(for: $0)) \(partitions[DeadLetterRecord.topic(for: $0)] ?? 0) < \($0) \(partitions[$0] ?? 0)" }
                    .joined(separator: ", "),
                fix: "add partitions to the .dlq topics (a dead letter keeps its message's partition)"))
        } else {
            checks.append(.ok("dead-letter topics", "\(dlqs.count) present: " + describe(dlqs)))
        }
        return checks
    }
}
