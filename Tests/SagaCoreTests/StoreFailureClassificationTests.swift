import Foundation
import GRDB
import SagaCore
import SagaSQLite
import SagaTestSupport
import Synchronization
import Testing

/// A failure of the store is never the message's fault: both consumers retry it until the store
/// answers (the offset stays uncommitted meanwhile) and never dead-letter it, however long it lasts.
@Suite struct StoreFailureClassificationTests {
    struct Broken: Error {}

    private static let storeDown = SagaStoreError.database(operation: "commit saga-1", underlying: "connection refused")

    @Test func orchestratorRetriesAStoreFailureUntilResolved() {
        #expect(SagaOrchestrator.classify(SagaRuntimeError.store(Self.storeDown)) == .retryUntilResolved)
        #expect(SagaOrchestrator.classify(SagaRuntimeError.store(.cancelled(operation: "load"))) == .retryUntilResolved)
        #expect(SagaOrchestrator.classify(SagaRuntimeError.tooManyConflicts(sagaID: "s", attempts: 5)) == .retry)
        #expect(SagaOrchestrator.classify(SagaRuntimeError.store(.corruptRow(table: "saga", key: "s", detail: "bad")))
            == .deadLetter(.nonRetriable))
        #expect(SagaOrchestrator.classify(SagaRuntimeError.unknownSaga("s")) == .deadLetter(.invalid))
    }

    @Test func participantRetriesAStoreFailureUntilResolved() {
        typealias Participant = SagaParticipant<SQLiteSagaStore>
        #expect(Participant.classify(ParticipantError.store(Self.storeDown)) == .retryUntilResolved)
        #expect(Participant.classify(ParticipantError.store(.cancelled(operation: "process"))) == .retryUntilResolved)
        #expect(Participant.classify(ParticipantError.handlerFailed(command: "c", coordinates: "t/0@1", Broken()))
            == .deadLetter(.nonRetriable))
    }

    @Test func storeFailureIsTheDatabaseNotTheData() {
        #expect(Self.storeDown.isStoreFailure)
        #expect(SagaStoreError.cancelled(operation: "x").isStoreFailure)
        #expect(!SagaStoreError.versionConflict(sagaID: "s", expected: 1).isStoreFailure)
        #expect(!SagaStoreError.corruptRow(table: "saga", key: "s", detail: "bad").isStoreFailure)
    }

    /// A handler's own statement that the database refuses is the store's failure, not the
    /// handler's: the participant reports ``ParticipantError/store(_:)``, which is retried.
    @Test func handlerStatementThatTheDatabaseRefusesIsAStoreFailure() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("participant.sqlite"))
        let participant = SagaParticipant(store: store, consumerName: "svc") { _, db in
            try db.execute(sql: "INSERT INTO missing_table VALUES (1)")
            return .succeeded(nil)
        }
        let message = InboundMessage(
            topic: "svc.commands", partition: 0, offset: 3, timestampMilliseconds: nil, key: Array("saga-1".utf8), value: [],
            headers: [
                SagaHeader(SagaHeaders.messageID, "cmd-1"), SagaHeader(SagaHeaders.messageType, "Cmd"),
                SagaHeader(SagaHeaders.sagaID, "saga-1"), SagaHeader(SagaHeaders.replyTo, "svc.replies"),
                SagaHeader(SagaHeaders.sagaType, "t"),
            ]
        )
        do {
            let result = try await participant.process(message)
            Issue.record("processed: \(result)")
        } catch let error as ParticipantError {
            guard case .store(let storeError) = error else { throw error }
            #expect(storeError.isStoreFailure)
            #expect(SagaParticipant<SQLiteSagaStore>.classify(error) == .retryUntilResolved)
        }
        #expect(try await !store.isProcessed(consumer: "svc", messageID: "cmd-1"))
    }

    /// A store that stays down longer than the retry policy allows: the message is retried until
    /// the store answers, then processed; nothing reaches the dead-letter topic.
    @Test func outageLongerThanTheRetryPolicyDeadLettersNothing() async throws {
        final class Sink: DeadLetterSink {
            let count = Mutex(0)
            func publish(_ message: OutgoingMessage, partition: Int32) async throws { count.withLock { $0 += 1 } }
        }
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("dlq.sqlite"))
        let sink = Sink()
        let calls = Mutex(0)
        let handler = DeadLetteringHandler(
            group: "g", service: "orchestrator",
            retry: .exponential(maxAttempts: 2, initial: .milliseconds(1), max: .milliseconds(2), jitter: 0),
            sink: sink, store: store, classify: SagaOrchestrator.classify
        ) { _ in
            let call = calls.withLock { $0 += 1; return $0 }
            if call <= 8 { throw SagaRuntimeError.store(Self.storeDown) }
        }
        let message = InboundMessage(topic: "t", partition: 0, offset: 1, timestampMilliseconds: nil, key: [1], value: [2],
            headers: [SagaHeader(SagaHeaders.messageID, "m")])
        #expect(try await handler.handle(message) == .processed(attempts: 9))
        #expect(sink.count.withLock { $0 } == 0)
    }
}
