import Foundation
import SagaAvro
import SagaCore
@testable import SagaPostgres
import SagaTestSupport
import Testing

/// A participant on the PostgreSQL store: its own table, inbox entry and reply in one transaction.
@Suite(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct PostgresParticipantTests {
    struct Broken: Error {}

    private func command(_ orderID: String, id: String? = nil, key: String? = nil) throws -> InboundMessage {
        InboundMessage(
            topic: "inventory.commands", partition: 0, offset: 1, timestampMilliseconds: nil, key: Array("saga-\(orderID)".utf8),
            value: try StepCommand(action: "reserve", orderID: orderID).encodePayload(),
            headers: [
                SagaHeader(SagaHeaders.messageID, id ?? "cmd-\(orderID)"), SagaHeader(SagaHeaders.messageType, StepCommand.messageType),
                SagaHeader(SagaHeaders.sagaID, "saga-\(orderID)"), SagaHeader(SagaHeaders.replyTo, "order.replies"),
                SagaHeader(SagaHeaders.sagaType, "order"),
            ] + (key.map { [SagaHeader(SagaHeaders.idempotencyKey, $0)] } ?? [])
        )
    }

    private func withParticipant(_ body: (PostgresSagaStore, SagaParticipant<PostgresSagaStore>) async throws -> Void) async throws {
        try await PostgresTesting.withStore(try PostgresTesting.configuration()) { store in
            _ = try await store.transaction("create reservation") { transaction in
                try transaction.query("CREATE TABLE reservation (order_id text PRIMARY KEY, reservation_id text NOT NULL)")
            }
            let participant = SagaParticipant(store: store, consumerName: "inventory") { command, transaction in
                let body = try command.decode(StepCommand.self)
                if body.orderID == "broken" { throw Broken() }
                try transaction.query("INSERT INTO reservation VALUES (\(body.orderID), \("res-\(body.orderID)"))")
                if body.orderID == "fails-after-write" { throw Broken() }
                return try .succeeded(TestReservation(reservationID: "res-\(body.orderID)"))
            }
            try await body(store, participant)
        }
    }

    private func reservations(_ store: PostgresSagaStore) async throws -> Int {
        try await store.transaction("count") { transaction in
            try transaction.query("SELECT COUNT(*) AS n FROM reservation").rows.first?["n"].decode(Int.self) ?? -1
        }
    }

    @Test func handlerRunsOnceAndItsReplyGoesToTheOutbox() async throws {
        try await withParticipant { (store: PostgresSagaStore, participant: SagaParticipant<PostgresSagaStore>) async throws -> Void in
            #expect(try await participant.process(command("o1")) == .replied(.succeeded))
            #expect(try await participant.process(command("o1")) == .duplicate)
            #expect(try await reservations(store) == 1)
            let outbox = try await store.pendingOutbox(limit: 10).map(\.message)
            #expect(outbox.count == 1 && outbox.first?.topic == "order.replies")
            #expect(outbox.first?.headers.string(SagaHeaders.causationID) == "cmd-o1")
        }
    }

    @Test func newAttemptOfASucceededStepGetsTheStoredReply() async throws {
        try await withParticipant { (store: PostgresSagaStore, participant: SagaParticipant<PostgresSagaStore>) async throws -> Void in
            #expect(try await participant.process(command("o3", id: "attempt-1", key: "k3")) == .replied(.succeeded))
            #expect(try await participant.process(command("o3", id: "attempt-2", key: "k3")) == .repeated)
            #expect(try await reservations(store) == 1)
            let replies = try await store.pendingOutbox(limit: 10).map(\.message)
            #expect(replies.count == 2 && replies[0].value == replies[1].value && !replies[0].value.isEmpty)
        }
    }

    @Test func throwingHandlerLeavesNothingBehind() async throws {
        try await withParticipant { (store: PostgresSagaStore, participant: SagaParticipant<PostgresSagaStore>) async throws -> Void in
            for orderID in ["broken", "fails-after-write"] {
                do {
                    let result = try await participant.process(try command(orderID))
                    Issue.record("\(orderID) was processed: \(result)")
                } catch {
                    guard let failure = error as? ParticipantError, case .handlerFailed = failure else { throw error }
                }
                #expect(try await !store.isProcessed(consumer: "inventory", messageID: "cmd-\(orderID)"))
            }
            #expect(try await reservations(store) == 0)
            #expect(try await store.pendingOutbox(limit: 10).isEmpty)
        }
    }

    /// The connection a handler's statement runs on goes away (its server process is terminated,
    /// as when PostgreSQL stops): the store's failure, retried until the database answers, never
    /// the handler's (which would be dead-lettered). Nothing was written, and the store's next
    /// operations run on live connections (the closed one is never lent again).
    @Test func handlerWhoseConnectionDiesMeetsAStoreFailure() async throws {
        try await PostgresTesting.withStore(try PostgresTesting.configuration()) { store in
            let participant = SagaParticipant(store: store, consumerName: "inventory") { command, transaction in
                if try command.decode(StepCommand.self).orderID == "o9" {
                    try transaction.query("SELECT pg_terminate_backend(pg_backend_pid())")
                }
                return .succeeded(nil)
            }
            try await expectStoreFailure(await participant.process(command("o9")))
            for _ in 0..<(store.configuration.maximumConnections + 2) {
                #expect(try await !store.isProcessed(consumer: "inventory", messageID: "cmd-o9"))
            }
            #expect(try await participant.process(command("o10")) == .replied(.succeeded))
        }
    }

    /// A transaction's `BEGIN` goes out with its first statement, which may be a `prepare`'s or a
    /// handler's. When it fails (the pooled connection's session had ended, as when PostgreSQL
    /// stops: `StaleConnection`), that is the store's failure, retried until the database
    /// answers; it was taken for the handler's and dead-lettered (PostgresOutageTests found it).
    @Test func aBeginThatFailsUnderAPrepareIsAStoreFailure() async throws {
        try await PostgresTesting.withStore(try PostgresTesting.configuration()) { store in
            let participant = SagaParticipant(store: store, consumerName: "inventory", prepare: { commands, _ in
                if commands.contains(where: { $0.messageID == "cmd-stale" }) {
                    throw PostgresSagaStore.StaleConnection(underlying: PostgresConnectionClosed())
                }
            }) { _, _ in .succeeded(nil) }
            try await expectStoreFailure(await participant.process(command("stale")))
            #expect(try await !store.isProcessed(consumer: "inventory", messageID: "cmd-stale"))
            #expect(try await participant.process(command("fresh")) == .replied(.succeeded))
        }
    }

    /// A statement the server does not answer within the statement timeout fails as a store
    /// failure (retried, never dead-lettered) instead of holding the message; its connection is
    /// closed and the next message is processed.
    @Test func statementWithoutAnAnswerInTimeIsAStoreFailure() async throws {
        var configuration = try PostgresTesting.configuration()
        configuration.statementTimeout = 0.5
        try await PostgresTesting.withStore(configuration) { store in
            let participant = SagaParticipant(store: store, consumerName: "inventory") { command, transaction in
                if try command.decode(StepCommand.self).orderID == "slow" {
                    try transaction.query("SELECT pg_sleep(5)")
                }
                return .succeeded(nil)
            }
            let began = ContinuousClock.now
            let failure = try await expectStoreFailure(await participant.process(command("slow")))
            #expect(failure.contains("no answer from PostgreSQL within 0.5 s"), "\(failure)")
            #expect(ContinuousClock.now - began < .seconds(4), "the timeout, not pg_sleep, ended the statement")
            #expect(try await !store.isProcessed(consumer: "inventory", messageID: "cmd-slow"))
            #expect(try await participant.process(command("fast")) == .replied(.succeeded))
        }
    }

    /// A batch of commands records its inbox entries and reads its remembered replies ahead, in
    /// one wait (`prerecord`, `prefetchRememberedSuccesses`), and answers as one by one would: a
    /// command processed before and a second delivery in the batch are duplicates, a new attempt
    /// of a step that succeeded before gets the stored reply, two attempts of one step in the
    /// batch run the handler once. The batch waits on the server four times: the inbox entries
    /// with the remembered replies, the two inserts of the handlers that ran, and `COMMIT`.
    @Test func aBatchRecordsItsInboxAndReadsItsRepliesAheadAndAnswersAsOneByOne() async throws {
        try await withParticipant { (store: PostgresSagaStore, participant: SagaParticipant<PostgresSagaStore>) async throws -> Void in
            #expect(try await participant.process(command("before", id: "cmd-before")) == .replied(.succeeded))
            #expect(try await participant.process(command("stored", id: "attempt-1", key: "k-stored")) == .replied(.succeeded))
            let schema = store.configuration.schema
            PostgresStatistics.record(schemas: [schema])
            let waits = PostgresStatistics.waits(ofSchema: schema)
            let results = try await participant.process(batch: [
                try command("before", id: "cmd-before"),
                try command("a", id: "cmd-a"),
                try command("a", id: "cmd-a"),
                try command("stored", id: "attempt-2", key: "k-stored"),
                try command("b", id: "attempt-b1", key: "k-b"),
                try command("b", id: "attempt-b2", key: "k-b"),
            ])
            #expect(results == [.duplicate, .replied(.succeeded), .duplicate, .repeated, .replied(.succeeded), .repeated])
            #expect(PostgresStatistics.waits(ofSchema: schema) - waits == 4, "\(PostgresStatistics.statements(ofSchema: schema).map { String($0.prefix(70)) })")
            #expect(try await reservations(store) == 4)
            for id in ["cmd-a", "attempt-2", "attempt-b1", "attempt-b2"] {
                #expect(try await store.isProcessed(consumer: "inventory", messageID: id), "\(id)")
            }
            #expect(try await store.pendingOutbox(limit: 20).count == 6)
        }
    }

    /// Expects `process` to fail with a store failure that a consumer retries; returns its text.
    @discardableResult
    private func expectStoreFailure(
        _ process: @autoclosure () async throws -> SagaParticipant<PostgresSagaStore>.Result
    ) async throws -> String {
        do {
            let result = try await process()
            Issue.record("processed: \(result)")
            return ""
        } catch let error as ParticipantError {
            guard case .store(let storeError) = error else { throw error }
            #expect(storeError.isStoreFailure)
            #expect(SagaParticipant<PostgresSagaStore>.classify(error) == .retryUntilResolved)
            return storeError.description
        }
    }
}
