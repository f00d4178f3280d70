import Foundation
import Kafka
import SagaDev
@testable import SagaCLI
import SagaCore
import SagaSQLite
import Testing

/// `sagactl doctor` through the real broker, real SQLite stores and the repository's schemas.
@Suite("sagactl doctor")
struct DoctorTests {
    /// The checks of a `--json` run, by name.
    static func checks(_ result: SagactlProcess.Result) throws -> [String: [String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output)) as? [String: Any], "\(result.text)")
        let list = try #require(object["checks"] as? [[String: Any]])
        return Dictionary(list.compactMap { check in (check["name"] as? String).map { ($0, check) } }, uniquingKeysWith: { a, _ in a })
    }

    static func status(_ checks: [String: [String: Any]], _ name: String) -> String? { checks[name]?["status"] as? String }

    static func bootstrap() throws -> String { try TestKafka.configuration().bootstrapServers.joined(separator: ",") }

    /// `--timeout` for runs against the test broker: doctor stops waiting as soon as the broker
    /// answers, so a generous deadline only matters on a loaded machine, where it must not fail.
    static let brokerWait = ["--timeout", "120"]

    @Test func reportsMissingTopicsThenPresentOnes() async throws {
        let prefix = "doc-\(UUID().uuidString.prefix(8).lowercased())-"
        let before = try await SagactlProcess.run(["doctor", "--json", "--bootstrap-servers", try Self.bootstrap(), "--topic-prefix", prefix] + Self.brokerWait)
        #expect(before.status == 1, "\(before.text) \(before.error)")
        var checks = try Self.checks(before)
        #expect(Self.status(checks, "librdkafka") == "OK", "\(checks)")
        #expect(Self.status(checks, "broker") == "OK", "\(checks)")
        #expect(Self.status(checks, "saga topics") == "FAIL")
        #expect((checks["saga topics"]?["detail"] as? String)?.contains("12 of 12 missing") == true, "\(checks)")
        #expect(Self.status(checks, "dead-letter topics") == "FAIL")

        let topics = ["order.placed", "transfer.requested", "bill.settlement.requested", "inventory.commands", "payment.commands",
                      "order.commands", "account.commands", "notification.commands", "saga.order.replies", "saga.transfer.replies",
                      "saga.bill.replies", "saga.events"]
            .map { prefix + $0 }
        let admin = try KafkaAdmin(configuration: try TestKafka.configuration(), logger: TestKafka.quietLogger)
        try await admin.createTopics((topics + topics.map { $0 + ".dlq" }).map { KafkaTopicSpecification(name: $0, partitions: 2) })

        let after = try await SagactlProcess.run(["doctor", "--json", "--bootstrap-servers", try Self.bootstrap(), "--topic-prefix", prefix] + Self.brokerWait)
        checks = try Self.checks(after)
        #expect(Self.status(checks, "saga topics") == "OK", "\(checks)")
        #expect((checks["saga topics"]?["detail"] as? String)?.contains("\(prefix)payment.commands:2") == true, "\(checks)")
        #expect(Self.status(checks, "dead-letter topics") == "OK", "\(checks)")
        #expect(Self.status(checks, "schemas schemas") != "FAIL", "\(checks)")
        #expect(after.status == 0, "\(after.text) \(after.error)")
    }

    @Test func deadLetterTopicWithFewerPartitionsFails() async throws {
        let prefix = "doc-\(UUID().uuidString.prefix(8).lowercased())-"
        let topics = ["order.placed", "transfer.requested", "bill.settlement.requested", "inventory.commands", "payment.commands",
                      "order.commands", "account.commands", "notification.commands", "saga.order.replies", "saga.transfer.replies",
                      "saga.bill.replies", "saga.events"]
            .map { prefix + $0 }
        let admin = try KafkaAdmin(configuration: try TestKafka.configuration(), logger: TestKafka.quietLogger)
        try await admin.createTopics(topics.map { KafkaTopicSpecification(name: $0, partitions: 3) }
            + topics.map { KafkaTopicSpecification(name: $0 + ".dlq", partitions: $0.hasSuffix("payment.commands") ? 1 : 3) })
        let result = try await SagactlProcess.run(["doctor", "--bootstrap-servers", try Self.bootstrap(), "--topic-prefix", prefix] + Self.brokerWait)
        #expect(result.status == 1)
        #expect(result.text.contains("FAIL dead-letter topics: fewer partitions than their topic: \(prefix)payment.commands.dlq 1 < \(prefix)payment.commands 3"),
                "\(result.text)")
    }

    @Test func reportsStoresBySchemaOutboxAndStatus() async throws {
        let store = try await StatusTests.populatedStore()
        let notSQLite = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString).sqlite").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: notSQLite))
        defer { try? FileManager.default.removeItem(atPath: notSQLite) }
        let result = try await SagactlProcess.run([
            "doctor", "--json", "--bootstrap-servers", try Self.bootstrap(),
            "--store", store.path, "--store", notSQLite, "--store", "/nonexistent/orders.sqlite",
        ] + Self.brokerWait)
        let checks = try Self.checks(result)
        let good = try #require(checks["store \(store.path)"], "\(checks.keys)")
        #expect(good["status"] as? String == "OK", "\(good)")
        let detail = try #require(good["detail"] as? String)
        let inspected = try SagaStoreInspection.inspect(path: store.path)
        #expect(!inspected.knownMigrations.isEmpty && inspected.missingMigrations.isEmpty && inspected.unknownMigrations.isEmpty)
        #expect(detail.contains("schema \(inspected.knownMigrations.count)/\(inspected.knownMigrations.count) migrations"), "\(detail)")
        #expect(detail.contains("0 outbox row(s) pending"), "\(detail)")
        #expect(detail.contains("sagas compensated=1 completed=1 running=1"), "\(detail)")
        #expect(Self.status(checks, "store \(notSQLite)") == "FAIL", "\(checks)")
        #expect(Self.status(checks, "store /nonexistent/orders.sqlite") == "FAIL", "\(checks)")
        #expect(result.status == 1)
    }

    @Test func pendingOutboxRowsAreCounted() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-outbox-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteSagaStore(path: path)
        let message = OutgoingMessage(topic: "payment.commands", key: Array("k".utf8), value: [1, 2, 3], headers: [])
        try await StatusTests.commit(store, SagaCommit(outbox: [message, message]))
        let result = try await SagactlProcess.run(["doctor", "--bootstrap-servers", try Self.bootstrap(), "--store", path] + Self.brokerWait)
        #expect(result.text.contains("OK   store \(path): schema"), "\(result.text)")
        #expect(result.text.contains("; 2 outbox row(s) pending, oldest "), "\(result.text)")
    }

    @Test func dataDirectoryChecksEverySQLiteFile() async throws {
        let store = try await StatusTests.populatedStore()
        let directory = URL(fileURLWithPath: store.path).deletingLastPathComponent().appendingPathComponent("doctor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("orchestrator.sqlite").path
        try FileManager.default.copyItem(atPath: store.path, toPath: copy)
        let result = try await SagactlProcess.run(["doctor", "--bootstrap-servers", try Self.bootstrap(), "--data-dir", directory.path] + Self.brokerWait)
        #expect(result.text.contains("OK   store \(copy): schema"), "\(result.text)")
    }

    @Test func unreachableBrokerFailsAndSkipsTopics() async throws {
        let address = "127.0.0.1:\(try FreePort.find())"
        let result = try await SagactlProcess.run(["doctor", "--bootstrap-servers", address, "--timeout", "8"])
        #expect(result.status == 1)
        #expect(result.text.contains("FAIL broker: cannot reach broker \(address): connection refused"), "\(result.text)")
        #expect(result.text.contains("SKIP topics: the broker is not reachable"), "\(result.text)")
    }

    @Test func neverPrintsThePassword() async throws {
        let secret = "hunter2-doctor-secret"
        let arguments = [
            "doctor", "--bootstrap-servers", try Self.bootstrap(), "--security-protocol", "sasl_plaintext",
            "--sasl-mechanism", "PLAIN", "--sasl-username", "ops", "--sasl-password", secret,
        ] + Self.brokerWait
        for extra in [[], ["--json"]] {
            let result = try await SagactlProcess.run(arguments + extra)
            #expect(result.status == 1)
            #expect(result.text.contains("sasl.password=[redacted]"), "\(result.text)")
            #expect(result.text.contains("SASL authentication failed against"), "\(result.text)")
            #expect(!result.text.contains(secret) && !result.error.contains(secret))
        }
    }

    @Test func invalidConfigurationFailsWithoutConnecting() async throws {
        let result = try await SagactlProcess.run([
            "doctor", "--bootstrap-servers", try Self.bootstrap(), "--security-protocol", "ssl", "--ssl-ca-location", "/nonexistent/ca.pem",
        ])
        #expect(result.status == 1)
        #expect(result.text.contains("FAIL configuration: invalid Kafka configuration: the CA file /nonexistent/ca.pem does not exist"),
                "\(result.text)")
        #expect(result.text.contains("SKIP broker"))
    }

    @Test func librdkafkaVersionRules() {
        #expect(KafkaDoctor.librdkafka(loaded: 0x0200_02ff, text: "2.0.2").status == .fail)
        #expect(KafkaDoctor.librdkafka(loaded: 0x0200_02ff, text: "2.0.2").fix?.contains("run scripts/setup or install a current librdkafka") == true)
        #expect(KafkaDoctor.librdkafka(loaded: 0x0202_00ff, text: "2.2.0").status == .warn)
        #expect(KafkaDoctor.librdkafka(loaded: 0x0210_00ff, text: "2.16.0").status == .ok)
    }
}

