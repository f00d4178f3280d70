import Foundation
import SagaCore
import SagaSQLite
import SagaTestSupport
import Synchronization
import Testing

/// The relay over a real SQLite outbox, with a publisher that holds chosen messages back until
/// the test lets them go (the broker's side is the Kafka tests').
@Suite struct OutboxRelayTests {
    /// Records what it is asked to send, in order; a message whose value is `hold` waits for ``release()``.
    final class GatedPublisher: OutboxPublisher {
        private let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let held = Mutex(false)
        /// The number of messages of each `publish` call, in call order.
        let batches = Mutex<[Int]>([])
        let sent: AsyncStream<String>
        private let sending: AsyncStream<String>.Continuation

        init() { (sent, sending) = AsyncStream<String>.makeStream() }

        func publish(_ messages: [OutgoingMessage]) async -> [(any Error)?] {
            batches.withLock { $0.append(messages.count) }
            for message in messages {
                sending.yield(String(decoding: message.key, as: UTF8.self) + "/" + (message.headers.string(SagaHeaders.messageID) ?? ""))
                if message.value == Array("hold".utf8) {
                    await withCheckedContinuation { continuation in
                        let releasedAlready = held.withLock { released in
                            if released { return true }
                            gate.withLock { $0 = continuation }
                            return false
                        }
                        if releasedAlready { continuation.resume() }
                    }
                }
            }
            return messages.map { _ in nil }
        }

        func release() {
            let waiting = held.withLock { released -> CheckedContinuation<Void, Never>? in
                released = true
                return gate.withLock { gate in defer { gate = nil }; return gate }
            }
            waiting?.resume()
        }
    }

    private func row(_ key: String, _ id: String, hold: Bool = false) -> OutgoingMessage {
        OutgoingMessage(topic: "commands", key: Array(key.utf8), value: Array((hold ? "hold" : "go").utf8),
            headers: [SagaHeader(SagaHeaders.messageID, id)])
    }

    /// A batch that waits for its delivery reports does not stop the rows committed after it,
    /// except those of the same saga and topic, which go after it in order.
    @Test(.timeLimit(.minutes(1))) func rowsCommittedWhileABatchIsInFlightGoExceptThoseBehindIt() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("outbox.sqlite"))
        let doorbell = Doorbell()
        let publisher = GatedPublisher()
        var sent = publisher.sent.makeAsyncIterator()
        _ = try await store.commit(SagaCommit(outbox: [row("a", "a1", hold: true)]))
        let relay = Task { await OutboxRelay(store: store, publisher: publisher, doorbell: doorbell).run() }

        #expect(await sent.next() == "a/a1")
        _ = try await store.commit(SagaCommit(outbox: [row("a", "a2"), row("b", "b1")]))
        await doorbell.ring()
        // b1 goes while a1 awaits its report; a2 waits behind a1.
        #expect(await sent.next() == "b/b1")
        try await eventually("b1 marked published") { try await store.pendingOutbox(limit: 10).map(\.id).count == 2 }
        publisher.release()
        #expect(await sent.next() == "a/a2")
        try await eventually("every row published") { try await store.pendingOutbox(limit: 10).isEmpty }
        relay.cancel()
        await relay.value
    }

    /// A batch whose delivery reports arrive while the relay stops is still marked published:
    /// it is out, and a row left pending would be sent again at the next start.
    @Test(.timeLimit(.minutes(1))) func aBatchDeliveredWhileTheRelayStopsIsMarkedPublished() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("outbox.sqlite"))
        let publisher = GatedPublisher()
        var sent = publisher.sent.makeAsyncIterator()
        _ = try await store.commit(SagaCommit(outbox: [row("a", "a1", hold: true)]))
        let relay = Task { await OutboxRelay(store: store, publisher: publisher, doorbell: Doorbell()).run() }

        #expect(await sent.next() == "a/a1")
        relay.cancel()
        publisher.release()
        await relay.value
        #expect(try await store.pendingOutbox(limit: 10).isEmpty)
    }

    /// The relay's limits size its batches: three pending rows of three sagas go as one batch by
    /// default, and one by one with a batch size of 1 (``OutboxRelayLimits``, the
    /// `SAGA_RELAY_BATCH_SIZE` setting).
    @Test(.timeLimit(.minutes(1)), arguments: [(OutboxRelayLimits.default, [3]), (OutboxRelayLimits(batchSize: 1, batchesInFlight: 1), [1, 1, 1])])
    func theBatchSizeLimitsWhatOnePublishCarries(limits: OutboxRelayLimits, expected: [Int]) async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("outbox.sqlite"))
        let publisher = GatedPublisher()
        _ = try await store.commit(SagaCommit(outbox: [row("a", "a1"), row("b", "b1"), row("c", "c1")]))
        let relay = Task {
            await OutboxRelay(
                store: store, publisher: publisher, doorbell: Doorbell(), batchSize: limits.batchSize,
                maxBatchesInFlight: limits.batchesInFlight
            ).run()
        }
        try await eventually("every row published") { try await store.pendingOutbox(limit: 10).isEmpty }
        relay.cancel()
        await relay.value
        #expect(publisher.batches.withLock { $0 } == expected)
    }
}
