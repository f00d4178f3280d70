import Foundation
import Logging
import SagaCore
@testable import SagaKafka
import SagaSQLite
import SagaTestSupport
import Synchronization
import Testing

/// The housekeeping round every consuming role runs: expired rows go, in bounded transactions,
/// and it says what it did; a store that fails is logged, never thrown into the service.
@Suite struct HousekeepingTests {
    @Test func aRoundDeletesOnlyRowsOlderThanTheAgeAndLogsHowMany() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("store.sqlite"))
        let messages = (0..<600).map { OutgoingMessage(topic: "t", key: [UInt8($0 % 256)], value: [1], headers: []) }
        _ = try await store.commit(SagaCommit(outbox: messages))
        try await store.markPublished(try await store.pendingOutbox(limit: 1_000).map(\.id), at: Date())
        for index in 0..<3 {
            let entry = InboxEntry(consumer: "orchestrator", messageID: "m\(index)", topic: "t", partition: 0, offset: Int64(index))
            _ = try await store.commit(SagaCommit(inbox: entry))
        }
        let log = CapturedLog()

        // Nothing is an hour old yet.
        #expect(await KafkaServiceRunner.housekeepingRound(store: store, olderThan: .seconds(3600), logger: log.logger) == 0)
        #expect(try await store.isProcessed(consumer: "orchestrator", messageID: "m0"))
        #expect(log.messages.isEmpty)

        // Everything written before now: more than one batch of outbox rows (250 per transaction).
        #expect(await KafkaServiceRunner.housekeepingRound(store: store, olderThan: .zero, logger: log.logger) == 603)
        for index in 0..<3 { #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: "m\(index)")) }
        #expect(try await store.purge(before: Date().addingTimeInterval(60), limit: 1_000) == 0)
        #expect(log.messages == ["purged expired outbox, inbox and reply rows rows=603"])
    }

    @Test func aStoreThatFailsIsLoggedAndTheRoundReturns() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("store.sqlite"))
        try store.pool.close()
        let log = CapturedLog()
        #expect(await KafkaServiceRunner.housekeepingRound(store: store, olderThan: .zero, logger: log.logger) == 0)
        #expect(log.messages.count == 1)
        #expect(log.messages.first?.hasPrefix("housekeeping failed error=") == true)
    }
}

/// Log lines as "message key=value", without the duration (it varies).
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    var messages: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "housekeeping") { _ in Handler(log: self) }
    }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).filter { $0.key != "duration" }.sorted { $0.key < $1.key }
            log.append(([event.message.description] + fields.map { "\($0.key)=\($0.value)" }).joined(separator: " "))
        }
    }
}
