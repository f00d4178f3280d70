import Foundation
import GRDB
import Kafka
import SagaCore
import SagaSQLite
import SagaAvro
import SagaTestSupport
import Testing

/// Kills the orchestrator and participants with SIGKILL in the middle of many concurrent sagas,
/// starts them again, and checks that every saga still ends as it should, with every business
/// effect carried out exactly once.
@Suite(.timeLimit(.minutes(5)))
struct SagaCrashTests {
    /// The harness executable, built beside the test bundle.
    static func harnessPath() throws -> String {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // Inside an .xctest bundle on some platforms; walk up to the build directory.
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("saga-crash-harness").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw TimedOut(what: "the saga-crash-harness executable next to \(exe)")
    }

    /// Starts the harness. It exits by itself when the returned pipe closes, which the kernel
    /// does if this test process dies, so a crashed test run leaves no orphan behind.
    static func launch(prefix: String, directory: String) throws -> (Process, lifeline: Pipe) {
        let process = Process()
        let lifeline = Pipe()
        process.executableURL = URL(fileURLWithPath: try harnessPath())
        process.arguments = ["--exit-when-stdin-closes", prefix, directory]
        process.standardInput = lifeline
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, lifeline)
    }

    @Test func everySagaEndsCorrectlyAfterTheProcessIsKilledMidRun() async throws {
        let kafka = try Broker.configuration()
        let prefix = "crash\(UUID().uuidString.prefix(6).lowercased())."
        let directory = try TemporaryDirectory()
        let topics = ["inventory.commands", "payments.commands", "shipping.commands", Fixtures.replyTopic, "order.placed", "saga.events"]
            .map { prefix + $0 }
        let admin = try KafkaAdmin(configuration: kafka, logger: Broker.logger)
        try await admin.createTopics((topics + topics.map(DeadLetterRecord.topic(for:))).map {
            KafkaTopicSpecification(name: $0, partitions: 3)
        })

        let (first, firstLifeline) = try Self.launch(prefix: prefix, directory: directory.path)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        let kinds = ["ok", "fail-charge", "flaky-authorize"]
        let sagas = (0..<150).map { i in (id: "crash-\(i)", order: kinds[i % 3]) }
        let producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        for saga in sagas {
            _ = try await producer.send(KafkaMessage(
                topic: prefix + "order.placed", key: Array(saga.id.utf8),
                value: try OrderData(orderID: saga.order, amount: 1).encodePayload(),
                headers: [KafkaHeader(name: SagaHeaders.messageID, value: "start-\(saga.id)")]
            ))
        }
        let storePath = directory.file("orchestrator.sqlite")
        try await eventually("the harness to create its store") { FileManager.default.fileExists(atPath: storePath) }
        let store = try SQLiteSagaStore(path: storePath)
        // Kill it once some sagas have finished and others are in flight.
        try await eventually("progress before the kill", within: 120) {
            let counts = try await store.countByStatus()
            return (counts[.completed] ?? 0) + (counts[.compensated] ?? 0) >= 15
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        try firstLifeline.fileHandleForWriting.close()
        let atKill = try await store.countByStatus()
        let finishedAtKill = (atKill[.completed] ?? 0) + (atKill[.compensated] ?? 0)
        #expect(finishedAtKill < sagas.count, "the kill must land mid-run: \(atKill)")
        print("SagaCrashTests: killed with \(finishedAtKill) of \(sagas.count) sagas finished; stored statuses \(atKill)")

        let (second, secondLifeline) = try Self.launch(prefix: prefix, directory: directory.path)
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
        try await eventually("every saga to end after the restart", within: 180) {
            let counts = try await store.countByStatus()
            return (counts[.completed] ?? 0) + (counts[.compensated] ?? 0) == sagas.count
        }
        kill(second.processIdentifier, SIGTERM)
        second.waitUntilExit()
        try secondLifeline.fileHandleForWriting.close()

        let participants = try SQLiteSagaStore(path: directory.file("participants.sqlite"))
        let expected: [String: (SagaStatus, [String])] = [
            "ok": (.completed, ["reserve", "authorize", "charge", "ship"]),
            "fail-charge": (.compensated, ["reserve", "authorize", "void", "release"]),
            "flaky-authorize": (.completed, ["reserve", "flaky-authorize", "flaky-authorize", "authorize", "charge", "ship"]),
        ]
        for saga in sagas {
            let (status, ledger) = try #require(expected[saga.order])
            #expect(try await store.load(sagaID: saga.id)?.status == status, "\(saga.id)")
            let actions = try await participants.pool.read { db in
                try String.fetchAll(db, sql: "SELECT action FROM ledger WHERE saga_id = ? ORDER BY seq", arguments: [saga.id])
            }
            #expect(actions == ledger, "\(saga.id): business effects must happen exactly once")
        }
        await producer.shutdown(timeout: .seconds(5))
    }
}
