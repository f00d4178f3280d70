import Foundation
import SagaCore
import SagaSQLite
import SagaAvro
import SagaTestSupport
import Testing

/// The orchestrator keeps each saga's timeline in the commit of the change that caused it: every
/// state a reader sees comes with the entries that explain it, never without them.
@Suite struct SagaTimelineTests {
    let directory: TemporaryDirectory
    let store: SQLiteSagaStore
    let clock = TestClock(Date(timeIntervalSince1970: 7_000))

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
    }

    private func orchestrator(_ retention: SagaTimelineRetention = .all, lifecycle: SagaLifecycleEvents = .all) throws -> SagaOrchestrator {
        let clock = self.clock
        return SagaOrchestrator(
            registry: try SagaRegistry(definitions: [Fixtures.orderSaga()]), store: store, lifecycleEncoder: JSONLifecycleEncoder(),
            timelineRetention: retention, lifecycleEvents: lifecycle, environment: { TransitionEnvironment(now: clock.now, random: 0) }
        )
    }

    private func data(_ id: String) throws -> [UInt8] { try OrderData(orderID: id, amount: 10).encodePayload() }

    /// Answers the saga's pending request; returns the state and timeline read together afterwards.
    private func answer(_ orchestrator: SagaOrchestrator, _ sagaID: String, _ status: ReplyStatus,
                        _ payload: (any SagaPayloadCodable)? = nil) async throws -> SagaTimeline {
        let request = try #require(try await store.load(sagaID: sagaID)?.pendingRequestID)
        let encoded = try payload.map { try EncodedPayload($0) }
        let reply = StepReply(messageID: "reply-\(request)", causationID: request, sagaID: sagaID, status: status,
            reason: status == .succeeded ? nil : "no", messageType: encoded?.messageType ?? "", payload: encoded?.payload ?? [])
        let inbox = InboxEntry(consumer: orchestrator.consumerName, messageID: reply.messageID, topic: Fixtures.replyTopic, partition: 0, offset: 0)
        _ = try await orchestrator.handle(reply: reply, inbox: inbox)
        return try #require(try await store.timeline(sagaID: sagaID))
    }

    private func kinds(_ timeline: SagaTimeline) -> [String] {
        timeline.entries.map { entry in
            switch entry.kind {
            case .lifecycle: "lifecycle:" + ((entry.detail ?? "").split(separator: ":").first.map(String.init) ?? "")
            case .command, .compensation, .reply, .timer: "\(entry.kind.rawValue):\(entry.step ?? "-")#\(entry.attempt ?? 0)"
            case .operator: "operator:" + (entry.messageType ?? "")
            }
        }
    }

    @Test func eachCommitWritesTheEntriesOfItsChangeWithTheState() async throws {
        let orchestrator = try orchestrator()
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s1", data: data("s1"))
        let started = try #require(try await store.timeline(sagaID: "s1"))
        #expect(started.state.version == 0)
        #expect(kinds(started) == ["lifecycle:started", "command:reserveStock#1"])
        let outbox = try await store.pendingOutbox(limit: 10).map(\.message)
        #expect(started.entries[1].payload == outbox[0].value && started.entries[1].topic == "inventory.commands")
        #expect(started.entries[1].messageID == outbox[0].messageID && started.entries[0].payload == outbox[1].value)

        let reserved = try await answer(orchestrator, "s1", .succeeded, TestReservation(reservationID: "res"))
        #expect(reserved.state.version == 1 && reserved.state.stepIndex == 1)
        #expect(kinds(reserved).suffix(3) == ["reply:reserveStock#1", "lifecycle:stepCompleted", "command:authorizeCard#1"])
        let reply = reserved.entries[2]
        #expect(reply.outcome == "succeeded" && reply.messageType == TestReservation.messageType && reply.topic == Fixtures.replyTopic, "\(reply)")
        #expect(reply.payload == (try TestReservation(reservationID: "res").encodePayload()))

        let refused = try await answer(orchestrator, "s1", .businessFailure)
        #expect(refused.state.status == .compensating)
        #expect(kinds(refused).suffix(4) == ["reply:authorizeCard#1", "lifecycle:stepFailed", "lifecycle:compensating", "compensation:reserveStock#1"])
        #expect(refused.entries[5].outcome == "businessFailure" && refused.entries[5].detail == "no", "\(refused.entries[5])")

        let undone = try await answer(orchestrator, "s1", .succeeded)
        #expect(undone.state.status == .compensated)
        #expect(kinds(undone).suffix(3) == ["reply:reserveStock#1", "lifecycle:stepCompleted", "lifecycle:compensated"])
        #expect(undone.entries.map(\.sequence) == Array(1...Int64(undone.entries.count)))
    }

    @Test func timersAndLateRepliesAreEntriesAndIgnoredTimersAreNot() async throws {
        let orchestrator = try orchestrator()
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s2", data: data("s2"))
        let first = try #require(try await store.load(sagaID: "s2")?.pendingRequestID)
        #expect(try await orchestrator.fireDueTimers(now: clock.now).changed == 0)
        clock.now = try #require(try await store.nextDeadline())
        #expect(try await orchestrator.fireDueTimers(now: clock.now).changed == 1)  // timed out → backoff
        clock.now = try #require(try await store.nextDeadline())
        #expect(try await orchestrator.fireDueTimers(now: clock.now).changed == 1)  // resend
        let late = StepReply(messageID: "late", causationID: first, sagaID: "s2", status: .succeeded,
            messageType: TestReservation.messageType, payload: try TestReservation(reservationID: "x").encodePayload())
        let inbox = InboxEntry(consumer: orchestrator.consumerName, messageID: "late", topic: Fixtures.replyTopic, partition: 0, offset: 1)
        #expect(try await orchestrator.handle(reply: late, inbox: inbox) == .ignored(.lateReply))
        let timeline = try #require(try await store.timeline(sagaID: "s2"))
        #expect(kinds(timeline) == [
            "lifecycle:started", "command:reserveStock#1", "timer:reserveStock#1", "lifecycle:stepFailed",
            "timer:reserveStock#1", "command:reserveStock#2", "reply:reserveStock#1",
        ], "\(kinds(timeline))")
        #expect(timeline.entries[2].outcome == "replyTimeout" && timeline.entries[4].outcome == "retryBackoff")
        #expect(timeline.entries[6].detail?.hasPrefix("late") == true && timeline.entries[6].at == clock.now)
    }

    @Test func noneKeepsNoMessages() async throws {
        let orchestrator = try orchestrator(.none)
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s3", data: data("s3"))
        let timeline = try await answer(orchestrator, "s3", .succeeded, TestReservation(reservationID: "res"))
        #expect(timeline.state.stepIndex == 1 && timeline.entries.isEmpty)
    }

    @Test func terminalPublishesOnlyTheEndAndTheTimelineKeepsWhatWasPublished() async throws {
        let orchestrator = try orchestrator(lifecycle: .terminal)
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s4", data: data("s4"))
        _ = try await answer(orchestrator, "s4", .succeeded, TestReservation(reservationID: "res"))
        _ = try await answer(orchestrator, "s4", .businessFailure)
        let undone = try await answer(orchestrator, "s4", .succeeded)
        #expect(undone.state.status == .compensated)
        #expect(kinds(undone) == [
            "command:reserveStock#1", "reply:reserveStock#1", "command:authorizeCard#1", "reply:authorizeCard#1",
            "compensation:reserveStock#1", "reply:reserveStock#1", "lifecycle:compensated",
        ], "\(kinds(undone))")
        let events = try await store.pendingOutbox(limit: 50).map(\.message).filter { $0.topic == orchestrator.lifecycleTopic }
        #expect(events.count == 1 && events.first?.messageID == undone.entries.last?.messageID)
    }

    @Test func noneWritesNoLifecycleEvents() async throws {
        let orchestrator = try orchestrator(lifecycle: .none)
        _ = try await orchestrator.start(sagaType: "order", sagaID: "s5", data: data("s5"))
        _ = try await answer(orchestrator, "s5", .succeeded, TestReservation(reservationID: "res"))
        let done = try await answer(orchestrator, "s5", .succeeded)
        #expect(done.state.stepIndex == 2)
        let topics = Set(try await store.pendingOutbox(limit: 50).map(\.message.topic))
        #expect(!topics.contains(orchestrator.lifecycleTopic) && !topics.isEmpty)
        #expect(!kinds(done).contains { $0.hasPrefix("lifecycle:") })
    }
}
