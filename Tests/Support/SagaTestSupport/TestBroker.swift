import Foundation
@_exported import TestingSupport
import Kafka
import Logging
import SagaCore
import SagaKafka

/// The broker `scripts/test` started, for tests and harnesses that talk to Kafka.
public enum Broker {
    /// `KAFKA_BOOTSTRAP_SERVERS` is not set.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "KAFKA_BOOTSTRAP_SERVERS is not set: run these tests through ./scripts/test, which starts a broker"
        }
    }

    /// A configuration for the test broker, with short group timeouts: Tansu delays a group's
    /// first join by about half the session timeout.
    public static func configuration() throws -> KafkaConfiguration {
        guard let value = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"], !value.isEmpty else {
            throw Missing()
        }
        // Read as saga-server reads it: KAFKA_FETCH_WAIT_MAX_MS (Tansu needs a short one) comes
        // with the address, and a bad value fails naming the variable.
        var config = try KafkaConfiguration.fromEnvironment(["KAFKA_BOOTSTRAP_SERVERS": value,
            "KAFKA_FETCH_WAIT_MAX_MS": ProcessInfo.processInfo.environment["KAFKA_FETCH_WAIT_MAX_MS"] ?? ""], clientID: nil)
        config.linger = .milliseconds(1)
        config.sessionTimeout = .milliseconds(6000)
        config.heartbeatInterval = .milliseconds(500)
        config.autoCommitInterval = .milliseconds(200)
        return config
    }

    /// `KAFKA_FETCH_WAIT_MAX_MS` for a `saga-server` on the test broker, as `./scripts/test`
    /// exported it (empty when unset, which `saga-server` reads as unset).
    public static var fetchWaitSetting: String { ProcessInfo.processInfo.environment["KAFKA_FETCH_WAIT_MAX_MS"] ?? "" }

    /// Quiet unless `SAGA_TEST_LOG` names a level (e.g. `debug`).
    public static let logger: Logger = {
        var logger = Logger(label: "saga.tests")
        logger.logLevel = ProcessInfo.processInfo.environment["SAGA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()
}

/// Checks `condition` every 50 ms until it holds, or throws ``TimedOut`` after `seconds`.
public func eventually(
    _ what: @autoclosure () -> String, within seconds: Double = 120, _ condition: () async throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TimedOut(what: "\(what()) (\(Int(seconds)) s)")
}

/// Reads the records of `topic` from its start with a fresh consumer group until `enough` holds
/// for what was read, or throws ``TimedOut`` after `seconds`.
public func readRecords(
    of topic: String, kafka: KafkaConfiguration, within seconds: Double = 60,
    until enough: @escaping @Sendable ([InboundMessage]) -> Bool
) async throws -> [InboundMessage] {
    var config = kafka
    config.groupID = "reader-" + UUID().uuidString.lowercased()
    let consumer = try KafkaConsumer(configuration: config, logger: Broker.logger)
    try consumer.subscribe(to: [topic])
    let reader = Task { () throws -> [InboundMessage] in
        var seen: [InboundMessage] = []
        for try await message in consumer.messages {
            seen.append(InboundMessage(message))
            if enough(seen) { break }
        }
        return seen
    }
    let guardTask = Task {
        try await Task.sleep(for: .seconds(seconds))
        reader.cancel()
    }
    defer { guardTask.cancel() }
    let seen = try await reader.value
    await consumer.close()
    guard enough(seen) else { throw TimedOut(what: "records on \(topic)") }
    return seen
}
