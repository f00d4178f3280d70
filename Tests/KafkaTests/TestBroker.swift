import Foundation
import TestingSupport
import Kafka
import Logging
import Synchronization
import Testing

/// The broker `scripts/test` started, and per-test unique names and configurations.
enum TestBroker {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "KAFKA_BOOTSTRAP_SERVERS is not set: run the Kafka tests through ./scripts/test, which starts a broker"
        }
    }

    static func bootstrapServers() throws -> [String] {
        guard let value = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"], !value.isEmpty else {
            throw Missing()
        }
        return value.split(separator: ",").map(String.init)
    }

    /// A name no other test (or earlier run against the same broker) uses.
    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    static let logger: Logger = {
        var logger = Logger(label: "kafka.tests")
        logger.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }()

    static func configuration() throws -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: try bootstrapServers())
        config.linger = .milliseconds(1)
        return config
    }

    /// A consumer configuration with short group timeouts (Tansu delays a group's first join
    /// by about half the session timeout).
    static func consumerConfiguration(group: String) throws -> KafkaConfiguration {
        var config = try configuration()
        config.groupID = group
        config.sessionTimeout = .milliseconds(6000)
        config.heartbeatInterval = .milliseconds(500)
        config.autoCommitInterval = .milliseconds(500)
        return config
    }

    /// Sends `m0`, `m1`, ... to `topic`, each acknowledged.
    static func produceValues(topic: String, count: Int) async throws {
        let producer = try KafkaProducer(configuration: configuration(), logger: logger)
        for index in 0..<count { _ = try await producer.send(KafkaMessage(topic: topic, value: "m\(index)")) }
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }
    }

    /// The value of the first message a new member of `group` receives from `topic`.
    static func firstValue(topic: String, group: String) async throws -> String? {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(group: group), logger: logger)
        try consumer.subscribe(to: [topic])
        let value = try await withTimeout(30, "next group member") { () -> String? in
            for try await message in consumer.messages { return message.valueString }
            return nil
        }
        try await withTimeout(30, "consumer close") { await consumer.close() }
        return value
    }

    /// Creates a topic with `partitions` partitions and returns its name.
    static func createTopic(_ prefix: String, partitions: Int32 = 1) async throws -> String {
        let name = unique(prefix)
        let admin = try KafkaAdmin(configuration: configuration(), logger: logger)
        try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: partitions)])
        return name
    }
}

/// Fails with a clear message if `operation` does not finish within `seconds` (a hang guard,
/// not a performance assertion). A hung operation is left running (and cancelled) rather than
/// awaited, so the test fails instead of hanging.
func withTimeout<T: Sendable>(_ seconds: Double, _ what: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let claimed = Mutex(false)
    let claim: @Sendable () -> Bool = { claimed.withLock { done in defer { done = true }; return !done } }
    let work = Task { try await operation() }
    defer { work.cancel() }
    return try await withCheckedThrowingContinuation { continuation in
        Task {
            let result = await work.result
            if claim() { continuation.resume(with: result) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if claim() { continuation.resume(throwing: TimedOut(what: what, seconds: seconds)) }
        }
    }
}

