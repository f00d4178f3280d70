import Foundation
import SagaCore
import SagaSQLite
import SagaTestSupport
import Synchronization
import Testing

/// Exercises the retry / dead-letter decisions; the records' trip through a real broker is
/// covered by the Kafka tests.
@Suite struct DeadLetteringHandlerTests {
    final class CollectingSink: DeadLetterSink {
        let records = Mutex<[(OutgoingMessage, Int32)]>([])
        func publish(_ message: OutgoingMessage, partition: Int32) async throws {
            records.withLock { $0.append((message, partition)) }
        }
    }
    struct Transient: Error {}
    struct Fatal: Error {}

    let directory: TemporaryDirectory
    let store: SQLiteSagaStore
    let sink = CollectingSink()

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteSagaStore(path: directory.file("dlq.sqlite"))
    }

    final class Counter: Sendable {
        let value = Mutex(0)
        func increment() -> Int { value.withLock { $0 += 1; return $0 } }
        var count: Int { value.withLock { $0 } }
    }

    private func handler(failures: Int, error: any Error & Sendable) -> (DeadLetteringHandler, Counter) {
        let calls = Counter()
        let handler = DeadLetteringHandler(
            group: "g", service: "svc", retry: .exponential(maxAttempts: 3, initial: .milliseconds(1), jitter: 0), sink: sink,
            store: store, classify: { $0 is Transient ? .retry : .deadLetter(.nonRetriable) }
        ) { _ in
            let n = calls.increment()
            if n <= failures { throw error }
        }
        return (handler, calls)
    }

    private let message = InboundMessage(topic: "t", partition: 4, offset: 10, timestampMilliseconds: 1, key: [1], value: [2],
        headers: [SagaHeader("message-id", "m")])

    @Test func transientFailuresAreRetriedThenSucceed() async throws {
        let (h, calls) = handler(failures: 2, error: Transient())
        #expect(try await h.handle(message) == .processed(attempts: 3))
        #expect(calls.count == 3)
        #expect(sink.records.withLock { $0.isEmpty })
    }

    @Test func exhaustedRetriesAreDeadLetteredWithTheAttemptCount() async throws {
        let (h, _) = handler(failures: 10, error: Transient())
        #expect(try await h.handle(message) == .deadLettered(.retriesExhausted))
        let (record, partition) = try #require(sink.records.withLock { $0.first })
        #expect(record.topic == "t.dlq" && partition == 4)
        #expect(record.headers.string(DeadLetterHeaders.attempts) == "3")
        #expect(record.headers.string(DeadLetterHeaders.errorKind) == "retriesExhausted")
    }

    @Test func fatalFailureIsDeadLetteredAtOnceAndReplayOutcomesAreRecorded() async throws {
        _ = try await store.beginReplay(ReplayRequest(replayID: "rp", dlqTopic: "t.dlq", dlqPartition: 4, dlqOffset: 1,
            originalTopic: "t", requestedAt: Date()), force: false)
        var replayed = message
        replayed.headers.append(SagaHeader(DeadLetterHeaders.replayID, "rp"))
        let (fatal, calls) = handler(failures: 1, error: Fatal())
        #expect(try await fatal.handle(replayed) == .deadLettered(.nonRetriable))
        #expect(calls.count == 1)
        #expect(try await store.replay(id: "rp")?.outcome == .deadLetteredAgain)
        #expect(try await fatal.handle(replayed) == .processed(attempts: 1))
        #expect(try await store.replay(id: "rp")?.outcome == .succeeded)
    }

    struct Unreachable: Error {}

    @Test func failuresRetriedUntilResolvedOutlastTheRetryPolicyAndAreNeverDeadLettered() async throws {
        let calls = Counter()
        let handler = DeadLetteringHandler(
            group: "g", service: "svc", retry: .exponential(maxAttempts: 2, initial: .milliseconds(1), max: .milliseconds(2), jitter: 0),
            sink: sink, store: store, classify: { $0 is Unreachable ? .retryUntilResolved : .deadLetter(.nonRetriable) }
        ) { _ in
            if calls.increment() <= 6 { throw Unreachable() }
        }
        #expect(try await handler.handle(message) == .processed(attempts: 7))
        #expect(sink.records.withLock { $0.isEmpty })
    }
}
