import Foundation
import Synchronization
import GRDB
@testable import SagaCore
import SagaSQLite
import SagaAvro
import SagaTestSupport
import Testing

@Suite struct SagaParticipantTests {
    struct Unavailable: RetriableError {}
    struct Broken: Error {}

    let directory: TemporaryDirectory
    let store: SQLiteSagaStore
    let participant: SagaParticipant<SQLiteSagaStore>

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteSagaStore(path: directory.file("inventory.sqlite"))
        try store.pool.write { db in
            try db.execute(sql: "CREATE TABLE reservation (order_id TEXT PRIMARY KEY, reservation_id TEXT NOT NULL)")
        }
        participant = SagaParticipant(store: store, consumerName: "inventory") { command, db in
            let body = try command.decode(StepCommand.self)
            switch body.orderID {
            case "broken": throw Broken()
            case "flaky": throw Unavailable()
            case "empty": return .businessFailure(reason: "out of stock", nil)
            default: break
            }
            try db.execute(sql: "INSERT INTO reservation VALUES (?, ?)", arguments: [body.orderID, "res-\(body.orderID)"])
            if body.orderID == "fails-after-write" { throw Broken() }
            return try .succeeded(TestReservation(reservationID: "res-\(body.orderID)"))
        }
    }

    private func command(_ orderID: String, id: String? = nil, key: String? = nil, headers: [SagaHeader]? = nil) throws
        -> InboundMessage
    {
        let messageID = id ?? "cmd-\(orderID)"
        return InboundMessage(
            topic: "inventory.commands", partition: 0, offset: 1, timestampMilliseconds: nil, key: Array("saga-\(orderID)".utf8),
            value: try StepCommand(action: "reserve", orderID: orderID).encodePayload(),
            headers: headers ?? [
                SagaHeader(SagaHeaders.messageID, messageID), SagaHeader(SagaHeaders.messageType, StepCommand.messageType),
                SagaHeader(SagaHeaders.sagaID, "saga-\(orderID)"), SagaHeader(SagaHeaders.replyTo, "order.replies"),
                SagaHeader(SagaHeaders.sagaType, "order"),
            ] + (key.map { [SagaHeader(SagaHeaders.idempotencyKey, $0)] } ?? [])
        )
    }

    private func reservations() async throws -> Int {
        try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reservation") ?? 0 }
    }

    @Test func aBatchOfCommandsCommitsTogetherAndADuplicateInItIsSkipped() async throws {
        let results = try await participant.process(batch: [command("b1"), command("b2"), command("b1"), command("empty")])
        #expect(results == [.replied(.succeeded), .replied(.succeeded), .duplicate, .replied(.businessFailure)])
        #expect(try await reservations() == 2)
        let outbox = try await store.pendingOutbox(limit: 10).map(\.message)
        #expect(outbox.map(\.headers).map { $0.string(SagaHeaders.causationID) } == ["cmd-b1", "cmd-b2", "cmd-empty"])
        #expect(try await participant.process(command("b2")) == .duplicate)
    }

    @Test func aBatchWithAFailingCommandKeepsNothingOfAnyCommand() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await participant.process(batch: [command("c1"), command("broken"), command("c2")])
        }
        await #expect(throws: (any Error).self) {
            _ = try await participant.process(batch: [command("c1"), command("c2", headers: [])])
        }
        #expect(try await reservations() == 0)
        #expect(try await store.pendingOutbox(limit: 10).isEmpty)
        // Nothing was recorded in the inbox either: one by one, the good commands run.
        #expect(try await participant.process(command("c1")) == .replied(.succeeded))
        #expect(try await participant.process(command("c2")) == .replied(.succeeded))
        #expect(try await reservations() == 2)
    }

    /// `prepare` sees every command of a transaction before any handler runs (a batch's all at
    /// once, duplicates included); when it throws, nothing of the transaction stays and the error
    /// is the handler's kind (not the store's), so the message is retried or dead-lettered as such.
    @Test func prepareSeesATransactionsCommandsFirstAndItsErrorIsAHandlers() async throws {
        let seen = Mutex<[String]>([])
        let preparing = SagaParticipant(store: store, consumerName: "inventory", prepare: { commands, _ in
            let ids = commands.map(\.messageID)
            seen.withLock { $0.append("prepare " + ids.joined(separator: ",")) }
            if ids.contains("cmd-refused") { throw Broken() }
        }) { command, db in
            seen.withLock { $0.append("handle " + command.messageID) }
            try db.execute(sql: "INSERT INTO reservation VALUES (?, ?)", arguments: [command.messageID, "r"])
            return .succeeded(nil)
        }
        let results = try await preparing.process(batch: [command("p1"), command("p2"), command("p1")])
        #expect(results == [.replied(.succeeded), .replied(.succeeded), .duplicate])
        #expect(try await preparing.process(command("p3")) == .replied(.succeeded))
        #expect(seen.withLock { $0 } == ["prepare cmd-p1,cmd-p2,cmd-p1", "handle cmd-p1", "handle cmd-p2", "prepare cmd-p3", "handle cmd-p3"])

        await #expect(throws: (any Error).self) { _ = try await preparing.process(batch: [command("p4"), command("refused")]) }
        let refused = try command("refused")
        do throws(ParticipantError) {
            _ = try await preparing.process(refused)
            Issue.record("a refused preparation processed the command")
        } catch {
            guard case .handlerFailed(let id, _, let underlying) = error else { throw error }
            #expect(id == "cmd-refused" && underlying is Broken && !error.isRetriable)
        }
        #expect(try await reservations() == 3)
        #expect(try await store.pendingOutbox(limit: 10).count == 3, "the replies of p1, p2 and p3 only")
    }

    @Test func handlerRunsOnceAndItsReplyGoesToTheOutbox() async throws {
        #expect(try await participant.process(command("o1")) == .replied(.succeeded))
        #expect(try await participant.process(command("o1")) == .duplicate)
        #expect(try await reservations() == 1)
        let outbox = try await store.pendingOutbox(limit: 10).map(\.message)
        #expect(outbox.count == 1)
        let reply = try StepReply(from: InboundMessage(topic: outbox[0].topic, partition: 0, offset: 0, timestampMilliseconds: nil,
            key: outbox[0].key, value: outbox[0].value, headers: outbox[0].headers))
        #expect(outbox[0].topic == "order.replies" && outbox[0].key == Array("saga-o1".utf8))
        #expect(reply.causationID == "cmd-o1" && reply.sagaID == "saga-o1" && reply.status == .succeeded)
        #expect(try reply.decode(TestReservation.self).reservationID == "res-o1")
        #expect(reply.messageID == DeterministicUUID.make("reply/cmd-o1"))
    }

    /// The orchestrator re-sends a step whose reply timed out as a new attempt (new message id,
    /// same idempotency key): the handler does not run twice, the stored success is sent again.
    @Test func newAttemptOfASucceededStepGetsTheStoredReply() async throws {
        #expect(try await participant.process(command("o3", id: "attempt-1", key: "saga-o3:forward:reserve")) == .replied(.succeeded))
        #expect(try await participant.process(command("o3", id: "attempt-2", key: "saga-o3:forward:reserve")) == .repeated)
        #expect(try await reservations() == 1)
        let replies = try await store.pendingOutbox(limit: 10).map(\.message)
        #expect(replies.count == 2)
        #expect(replies.map { $0.headers.string(SagaHeaders.causationID) } == ["attempt-1", "attempt-2"])
        #expect(replies[0].value == replies[1].value && !replies[0].value.isEmpty)
        #expect(replies.allSatisfy { $0.headers.string(SagaHeaders.replyStatus) == "success" })
        #expect(replies[1].headers.string(SagaHeaders.messageType) == TestReservation.messageType)
        #expect(Set(replies.map(\.messageID)).count == 2)
    }

    @Test func failureRepliesAreNotStoredSoALaterAttemptRunsAgain() async throws {
        #expect(try await participant.process(command("empty", id: "a1", key: "k-empty")) == .replied(.businessFailure))
        #expect(try await participant.process(command("empty", id: "a2", key: "k-empty")) == .replied(.businessFailure))
        #expect(try await store.pendingOutbox(limit: 10).count == 2)
    }

    @Test func businessFailureIsAReplyNotAnError() async throws {
        #expect(try await participant.process(command("empty")) == .replied(.businessFailure))
        let headers = try #require(try await store.pendingOutbox(limit: 10).first?.message.headers)
        #expect(headers.string(SagaHeaders.replyStatus) == "failure" && headers.string(SagaHeaders.replyReason) == "out of stock")
    }

    @Test func throwingHandlerLeavesNothingBehind() async throws {
        for (orderID, retriable) in [("broken", false), ("flaky", true), ("fails-after-write", false)] {
            let message = try command(orderID)
            do {
                _ = try await participant.process(message)
                Issue.record("expected \(orderID) to fail")
            } catch {
                #expect(error.isRetriable == retriable)
                guard case .handlerFailed = error else { throw error }
            }
            #expect(try await !store.isProcessed(consumer: "inventory", messageID: "cmd-\(orderID)"))
        }
        #expect(try await reservations() == 0)
        #expect(try await store.pendingOutbox(limit: 10).isEmpty)
    }

    @Test func messageWithoutEnvelopeIsRejectedAsPoison() async throws {
        await #expect(throws: ParticipantError.self) {
            try await participant.process(command("o2", headers: [SagaHeader(SagaHeaders.messageID, "x")]))
        }
        let bare = try command("o2", headers: [])
        do {
            _ = try await participant.process(bare)
            Issue.record("expected a message without headers to be rejected")
        } catch {
            #expect(!error.isRetriable)
            #expect(error.description.contains("missing header 'message-id'"))
        }
    }
}

@Suite struct DoorbellTests {
    @Test func ringBeforeWaitIsKept() async {
        let bell = Doorbell()
        await bell.ring()
        let start = ContinuousClock.now
        // Woken by the ring, long before the deadline (the margin absorbs a starved test pool).
        await bell.wait(until: Date().addingTimeInterval(600))
        #expect(ContinuousClock.now - start < .seconds(300))
    }

    @Test func waitEndsAtTheDeadlineWithoutARing() async {
        let bell = Doorbell()
        let start = ContinuousClock.now
        await bell.wait(until: Date().addingTimeInterval(0.05))
        #expect(ContinuousClock.now - start >= .milliseconds(45))
    }

    @Test func ringWakesAWaiter() async throws {
        let bell = Doorbell()
        let start = ContinuousClock.now
        async let waited: Void = bell.wait(until: Date().addingTimeInterval(600))
        try await eventually("the waiter waits") { await bell.hasWaiter }
        await bell.ring()
        await waited
        // Woken by the ring, long before the deadline (the margin absorbs a starved test pool).
        #expect(ContinuousClock.now - start < .seconds(300))
    }
}
