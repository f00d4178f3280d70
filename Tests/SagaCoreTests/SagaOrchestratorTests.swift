import Foundation
import Synchronization
import SagaCore
import SagaSQLite
import SagaAvro
import SagaTestSupport
import Testing

/// The orchestrator core over a real SQLite store, without Kafka.
@Suite struct SagaOrchestratorTests {
    let directory: TemporaryDirectory
    let store: SQLiteSagaStore
    let orchestrator: SagaOrchestrator

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        orchestrator = SagaOrchestrator(
            registry: try SagaRegistry(definitions: [Fixtures.orderSaga()]), store: store, lifecycleEncoder: JSONLifecycleEncoder()
        )
    }

    private func data(_ id: String) throws -> [UInt8] { try OrderData(orderID: id, amount: 10).encodePayload() }

    private func inbox(_ id: String, offset: Int64 = 0) -> InboxEntry {
        InboxEntry(consumer: orchestrator.consumerName, messageID: id, topic: Fixtures.replyTopic, partition: 0, offset: offset)
    }

    private func pendingRequest(_ sagaID: String) async throws -> String {
        try #require(try await store.load(sagaID: sagaID)?.pendingRequestID)
    }

    private func reply(_ sagaID: String, _ status: ReplyStatus, id: String, to request: String, payload: (any SagaPayloadCodable)? = nil)
        throws -> StepReply
    {
        let encoded = try payload.map { try EncodedPayload($0) }
        return StepReply(messageID: id, causationID: request, sagaID: sagaID, status: status, reason: status == .succeeded ? nil : "no",
            messageType: encoded?.messageType ?? "", payload: encoded?.payload ?? [])
    }

    @Test func startWritesStateFirstCommandAndStartedEventAtomically() async throws {
        #expect(try await orchestrator.start(sagaType: "order", sagaID: "s1", data: data("s1"), inbox: inbox("start-1")) == .started)
        let outbox = try await store.pendingOutbox(limit: 10).map(\.message)
        #expect(outbox.map(\.topic) == ["inventory.commands", "saga.events"])
        #expect(outbox[1].lifecycleKind == "started")
        #expect(outbox[1].headers.string(SagaHeaders.causationID) == "start-1")
        #expect(try await store.load(sagaID: "s1")?.status == .running)
    }

    @Test func repeatedStartIsIdempotent() async throws {
        #expect(try await orchestrator.start(sagaType: "order", sagaID: "s1", data: OrderData(orderID: "s1", amount: 10)) == .started)
        #expect(try await orchestrator.start(sagaType: "order", sagaID: "s1", data: data("s1"), inbox: inbox("start-1")) == .alreadyExists)
        #expect(try await orchestrator.start(sagaType: "order", sagaID: "s1", data: data("s1"), inbox: inbox("start-2")) == .alreadyExists)
        #expect(try await store.pendingOutbox(limit: 10).count == 2)
        await #expect(throws: SagaRuntimeError.self) {
            try await orchestrator.start(sagaType: "nope", sagaID: "s2", data: [])
        }
    }

    /// `reply` as the consumer reads it from the reply topic.
    private func message(_ reply: StepReply, offset: Int64 = 0) -> InboundMessage {
        InboundMessage(
            topic: Fixtures.replyTopic, partition: 0, offset: offset, timestampMilliseconds: nil, key: Array(reply.sagaID.utf8),
            value: reply.payload, headers: [
                SagaHeader(SagaHeaders.messageID, reply.messageID), SagaHeader(SagaHeaders.causationID, reply.causationID),
                SagaHeader(SagaHeaders.sagaID, reply.sagaID), SagaHeader(SagaHeaders.replyStatus, reply.status.rawValue),
                SagaHeader(SagaHeaders.messageType, reply.messageType),
            ]
        )
    }

    /// Replies of one batch: two sagas, one of them answered twice in a row (the second reply
    /// answers the command the first one's transition wrote in the same transaction), and a
    /// redelivery of a reply of the batch.
    @Test func aBatchOfRepliesCommitsTogetherAndLaterMessagesSeeEarlierOnes() async throws {
        for id in ["b1", "b2"] { _ = try await orchestrator.start(sagaType: "order", sagaID: id, data: data(id)) }
        let first = try reply("b1", .succeeded, id: "b1-r1", to: try await pendingRequest("b1"), payload: TestReservation(reservationID: "r"))
        let other = try reply("b2", .succeeded, id: "b2-r1", to: try await pendingRequest("b2"), payload: TestReservation(reservationID: "r"))
        // What the next command of b1 will be: apply the first reply to a copy of the store's state.
        let copy = try SQLiteSagaStore(path: directory.file("copy.sqlite"))
        let shadow = SagaOrchestrator(registry: orchestrator.registry, store: copy, lifecycleEncoder: JSONLifecycleEncoder())
        _ = try await shadow.start(sagaType: "order", sagaID: "b1", data: data("b1"))
        _ = try await shadow.handle(reply: first, inbox: nil)
        let second = try reply("b1", .succeeded, id: "b1-r2", to: try #require(try await copy.load(sagaID: "b1")?.pendingRequestID))
        let before = try await store.pendingOutbox(limit: 100).count

        try await orchestrator.process(batch: [message(first), message(other, offset: 1), message(first, offset: 2), message(second, offset: 3)])
        let b1 = try #require(try await store.load(sagaID: "b1"))
        #expect(b1.stepIndex == 2 && b1.attempt == 1)
        #expect(try await store.load(sagaID: "b2")?.stepIndex == 1)
        #expect(try await store.isProcessed(consumer: orchestrator.consumerName, messageID: "b2-r1"))
        // One command and one lifecycle event per applied reply; the redelivery added nothing.
        #expect(try await store.pendingOutbox(limit: 100).count == before + 6)
        #expect(try await orchestrator.status(sagaID: "b1")?.history.map(\.outcome) == [.succeeded, .succeeded, nil])
    }

    @Test func aBatchWithAnUnprocessableMessageWritesNothing() async throws {
        _ = try await orchestrator.start(sagaType: "order", sagaID: "u1", data: data("u1"))
        let good = try reply("u1", .succeeded, id: "u1-r1", to: try await pendingRequest("u1"), payload: TestReservation(reservationID: "r"))
        let unknown = try reply("missing", .succeeded, id: "m-r1", to: "nothing")
        let before = try #require(try await store.load(sagaID: "u1"))
        await #expect(throws: SagaRuntimeError.self) {
            try await orchestrator.process(batch: [message(good), message(unknown, offset: 1)])
        }
        #expect(try await store.load(sagaID: "u1") == before)
        #expect(try await !store.isProcessed(consumer: orchestrator.consumerName, messageID: "u1-r1"))
        // One by one, the good reply applies.
        #expect(try await orchestrator.handle(reply: good, inbox: inbox("u1-r1")) == .applied(.running))
    }

    @Test func redeliveredReplyHasNoSecondEffect() async throws {
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s1", data: data("s1"))
        let r = try reply("s1", .succeeded, id: "r1", to: try await pendingRequest("s1"), payload: TestReservation(reservationID: "res"))
        #expect(try await orchestrator.handle(reply: r, inbox: inbox("r1", offset: 5)) == .applied(.running))
        let outboxAfterFirst = try await store.pendingOutbox(limit: 100).count
        let stateAfterFirst = try await store.load(sagaID: "s1")
        // Kafka redelivers the same record (same message id, maybe another offset).
        #expect(try await orchestrator.handle(reply: r, inbox: inbox("r1", offset: 5)) == .duplicateMessage)
        #expect(try await orchestrator.handle(reply: r, inbox: inbox("r1", offset: 6)) == .duplicateMessage)
        #expect(try await store.pendingOutbox(limit: 100).count == outboxAfterFirst)
        #expect(try await store.load(sagaID: "s1") == stateAfterFirst)
        // A duplicate sent by the participant with a new message id answers a request no longer pending.
        var copy = r
        copy.messageID = "r1-copy"
        #expect(try await orchestrator.handle(reply: copy, inbox: inbox("r1-copy")) == .ignored(.lateReply))
        #expect(try await store.load(sagaID: "s1") == stateAfterFirst)
    }

    @Test func timersFireFromTheStoreAndLateRepliesAreRecorded() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 5_000))
        let orchestrator = SagaOrchestrator(
            registry: self.orchestrator.registry, store: store, lifecycleEncoder: JSONLifecycleEncoder(),
            environment: { TransitionEnvironment(now: clock.now, random: 0) }
        )
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s1", data: data("s1"))
        let first = try await pendingRequest("s1")
        #expect(try await orchestrator.fireDueTimers(now: clock.now).changed == 0)
        clock.now = try #require(try await store.nextDeadline())
        #expect(try await orchestrator.fireDueTimers(now: clock.now).changed == 1) // timed out → backoff
        clock.now = try #require(try await store.nextDeadline())
        #expect(try await orchestrator.fireDueTimers(now: clock.now).changed == 1) // resend
        let second = try await pendingRequest("s1")
        #expect(second != first)
        let late = try reply("s1", .succeeded, id: "late", to: first, payload: TestReservation(reservationID: "x"))
        #expect(try await orchestrator.handle(reply: late, inbox: inbox("late")) == .ignored(.lateReply))
        let status = try #require(try await orchestrator.status(sagaID: "s1"))
        #expect(status.history.map(\.outcome) == [.timedOut, nil])
        #expect(status.history[0].lateReply?.replyID == "late")
        #expect(status.state.attempt == 2)
        let events = try await store.pendingOutbox(limit: 100).compactMap(\.message.lifecycleKind)
        #expect(events == ["started", "stepFailed"])
    }

    @Test func parkedSagaIsVisibleAndCanBeRetriedByCommand() async throws {
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s1", data: data("s1"))
        try await answer("s1", .succeeded, TestReservation(reservationID: "res"))
        try await answer("s1", .succeeded)
        try await answer("s1", .succeeded)
        try await answer("s1", .businessFailure)  // shipOrder: business failure after the pivot parks
        let parked = try #require(try await orchestrator.status(sagaID: "s1"))
        #expect(parked.state.status == .failed && parked.currentStep == "shipOrder")
        #expect(parked.state.failureReason == "step 'shipOrder' after the pivot failed: no")
        #expect(try await store.sagas(status: .failed, limit: 10).map(\.sagaID) == ["s1"])
        #expect(try await orchestrator.retry(sagaID: "s1") == .applied(.running))
        try await answer("s1", .succeeded)
        #expect(try await store.load(sagaID: "s1")?.status == .completed)
        #expect(try await orchestrator.resolve(sagaID: "s1", note: "x") == .ignored(.notParked(.completed)))
        await #expect(throws: SagaRuntimeError.self) { try await orchestrator.retry(sagaID: "missing") }
    }

    @Test func poisonReplyIsRejectedWithoutSideEffects() async throws {
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s1", data: data("s1"))
        let before = try await store.pendingOutbox(limit: 100).count
        // reserveStock needs a TestReservation payload on success; this reply has none.
        let bad = try reply("s1", .succeeded, id: "bad", to: try await pendingRequest("s1"))
        await #expect(throws: SagaRuntimeError.self) { try await orchestrator.handle(reply: bad, inbox: inbox("bad")) }
        #expect(try await !store.isProcessed(consumer: orchestrator.consumerName, messageID: "bad"))
        #expect(try await store.pendingOutbox(limit: 100).count == before)
    }

    @Test func concurrentRepliesToManySagasAllComplete() async throws {
        let ids = (0..<40).map { "c\($0)" }
        for id in ids { _ = try await orchestrator.start(sagaType: "order", sagaID: id, data: data(id)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    try await answer(id, .succeeded, TestReservation(reservationID: "r"))
                    for _ in 0..<3 { try await answer(id, .succeeded) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.countByStatus() == [.completed: 40])
    }

    private func answer(_ sagaID: String, _ status: ReplyStatus, _ payload: (any SagaPayloadCodable)? = nil) async throws {
        let request = try await pendingRequest(sagaID)
        let id = "reply-\(request)"
        _ = try await orchestrator.handle(reply: try reply(sagaID, status, id: id, to: request, payload: payload), inbox: inbox(id))
    }
}

/// A settable clock shared with an orchestrator's environment closure (guarded by a lock).
final class TestClock: Sendable {
    private let state: Mutex<Date>
    init(_ start: Date) { state = Mutex(start) }
    var now: Date {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
