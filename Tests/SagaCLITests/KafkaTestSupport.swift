import Foundation
import Kafka
import Logging
import Testing

/// The broker the tests use (`./scripts/test` starts one and exports KAFKA_BOOTSTRAP_SERVERS).
enum TestKafka {
    static func configuration() throws -> KafkaConfiguration {
        let servers = try #require(
            ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"],
            "KAFKA_BOOTSTRAP_SERVERS is not set: run the tests with ./scripts/test, which starts a broker")
        return KafkaConfiguration(bootstrapServers: [servers])
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }

    /// A new topic with a unique name.
    static func topic(_ prefix: String, partitions: Int32 = 3) async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try KafkaAdmin(configuration: try configuration(), logger: quietLogger)
        try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: partitions)])
        return name
    }

    static func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: try configuration(), logger: quietLogger)
    }

    /// The JSON objects of sagactl's JSON Lines output.
    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }
}
