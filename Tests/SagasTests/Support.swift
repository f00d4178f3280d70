import Foundation
import GRDB
import Kafka
import Logging
import SagaEngine
import Testing

/// A directory of SQLite files for one test, removed when released.
final class ScratchDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sagas-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The broker `scripts/test` started.
enum Broker {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "KAFKA_BOOTSTRAP_SERVERS is not set: run these tests through ./scripts/test, which starts a broker"
        }
    }

    static func configuration() throws -> KafkaConfiguration {
        guard let value = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"], !value.isEmpty else { throw Missing() }
        var config = KafkaConfiguration(bootstrapServers: value.split(separator: ",").map(String.init))
        config.linger = .milliseconds(1)
        // Tansu delays a group's first join by about half the session timeout: keep it short.
        config.sessionTimeout = .milliseconds(6000)
        config.heartbeatInterval = .milliseconds(500)
        config.autoCommitInterval = .milliseconds(200)
        return config
    }

    static let logger: Logger = {
        var logger = Logger(label: "sagas-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["SAGA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()
}

/// A condition a test waited for did not hold in time (a hang guard, not a speed check).
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Checks `condition` every 50 ms until it holds or `seconds` pass.
func eventually(_ what: String, within seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TimedOut(what: what)
}

/// A fresh SQLite-backed store with `migrate` applied, for the domain tests.
func scratchStore(_ directory: ScratchDirectory, _ migrate: @escaping @Sendable (Database) throws -> Void) async throws -> SQLiteSagaStore {
    let store = try SQLiteSagaStore(path: directory.file("\(UUID().uuidString).sqlite"))
    try await store.pool.write { db in try migrate(db) }
    return store
}
