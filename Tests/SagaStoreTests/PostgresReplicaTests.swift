import Foundation
import SagaCore
import SagaPostgres
import SagaTestSupport
import Testing

/// Several replicas of the PostgreSQL store on one schema: migrations at once, outbox and timer claims.
@Suite(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct PostgresReplicaTests {
    private func message(_ key: String, _ n: Int) -> OutgoingMessage {
        OutgoingMessage(topic: "t", key: Array(key.utf8), value: [UInt8(n)], headers: [SagaHeader("n", "\(n)")])
    }

    @Test func replicasStartingAtOnceMigrateOnce() async throws {
        let configuration = try PostgresTesting.configuration()
        let opened = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask { try await PostgresTesting.withStore(configuration) { store in store.instanceID } }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(opened).count == 4)
        let migrations = try await PostgresTesting.withStore(configuration) { store in
            try await store.transaction("count migrations") { transaction in
                try transaction.query("SELECT COUNT(*) AS n FROM saga_migrations").rows.first?["n"].decode(Int.self)
            }
        }
        #expect(migrations == 6, "each of the six migrations once")
    }

    @Test func anotherReplicaSkipsClaimedRowsAndLaterRowsOfTheSameKey() async throws {
        let configuration = try PostgresTesting.configuration()
        try await PostgresTesting.withStore(configuration) { a in
            try await PostgresTesting.withStore(configuration) { b in
                _ = try await a.commit(SagaCommit(outbox: [message("s1", 1), message("s2", 2)]))
                let claimedByA = try await a.pendingOutbox(limit: 1)
                #expect(claimedByA.map(\.message.value) == [[1]])
                _ = try await a.commit(SagaCommit(outbox: [message("s1", 3), message("s3", 4)]))
                // b gets s2 and s3, not s1's second message while a holds s1's first.
                let claimedByB = try await b.pendingOutbox(limit: 10)
                #expect(claimedByB.map(\.message.value) == [[2], [4]])
                // a sees its own claim again and nothing b holds.
                #expect(try await a.pendingOutbox(limit: 10).map(\.message.value) == [[1], [3]])
                try await a.markPublished(claimedByA.map(\.id), at: Date())
                try await b.markPublished(claimedByB.map(\.id), at: Date())
                #expect(try await b.pendingOutbox(limit: 10).isEmpty, "s1's second message is a's until a publishes it or its lease ends")
            }
        }
    }

    /// The relay's read while a batch is in flight leaves that batch's rows out and does not
    /// claim them again (no write of rows it already holds), while the other replica still
    /// skips them and the later rows of their key.
    @Test func rowsInFlightAreNotClaimedAgain() async throws {
        let configuration = try PostgresTesting.configuration()
        try await PostgresTesting.withStore(configuration) { a in
            try await PostgresTesting.withStore(configuration) { b in
                _ = try await a.commit(SagaCommit(outbox: [message("s1", 1), message("s2", 2)]))
                let inFlight = try await a.pendingOutbox(limit: 1)
                let claim: @Sendable () async throws -> Double? = {
                    try await a.transaction("read the claim") { transaction in
                        try transaction.query("SELECT claimed_until FROM outbox WHERE id = \(inFlight[0].id)").rows.first?["claimed_until"]
                            .decode(Double?.self)
                    }
                }
                let before = try #require(try await claim())
                _ = try await a.commit(SagaCommit(outbox: [message("s1", 3)]))
                #expect(try await a.pendingOutbox(limit: 10, excluding: [inFlight[0].id]).map(\.message.value) == [[2], [3]])
                #expect(try await claim() == before, "the row in flight was not claimed again")
                #expect(try await b.pendingOutbox(limit: 10).isEmpty, "b skips a's claims and s1's later row")
            }
        }
    }

    @Test func aClaimWhoseLeaseEndedIsTakenOver() async throws {
        var configuration = try PostgresTesting.configuration()
        configuration.claimLease = 0
        try await PostgresTesting.withStore(configuration) { a in
            try await PostgresTesting.withStore(configuration) { b in
                _ = try await a.commit(SagaCommit(outbox: [message("s1", 1)]))
                #expect(try await a.pendingOutbox(limit: 10).count == 1)
                try await eventually("b takes over the row", within: 10) { try await b.pendingOutbox(limit: 10).count == 1 }
            }
        }
    }

    @Test func aDueTimerFiresOnOneReplica() async throws {
        let configuration = try PostgresTesting.configuration()
        try await PostgresTesting.withStore(configuration) { a in
            try await PostgresTesting.withStore(configuration) { b in
                let base = Date(timeIntervalSince1970: 3_000_000)
                let state = SagaState(
                    sagaID: "timer-1", sagaType: "order", definitionVersion: 1, status: .running, phase: .forward, stepIndex: 0,
                    attempt: 1, requestSequence: 1, pendingRequestID: "r1", deadline: base, deadlineKind: .replyTimeout, completedSteps: [],
                    data: [], failureReason: nil, version: 0, createdAt: base, updatedAt: base)
                _ = try await a.commit(SagaCommit(saga: .insert(state), sagaID: "timer-1"))
                #expect(try await a.dueSagas(now: base, limit: 10).map(\.sagaID) == ["timer-1"])
                #expect(try await b.dueSagas(now: base, limit: 10).isEmpty)
                #expect(try await a.dueSagas(now: base, limit: 10).map(\.sagaID) == ["timer-1"], "the claimer sees its own claim")
                // b wakes when a's claim ends, not in a busy loop on the past deadline.
                let bNext = try #require(try await b.nextDeadline())
                #expect(bNext > Date().addingTimeInterval(configuration.claimLease - 5))
                #expect(try await a.nextDeadline() == base)
                // a's commit of the saga's next state ends its claim: the next deadline is anyone's.
                var next = state
                next.deadline = base.addingTimeInterval(1)
                _ = try await a.commit(SagaCommit(saga: .update(next), sagaID: "timer-1"))
                #expect(try await b.nextDeadline() == next.deadline)
                #expect(try await b.dueSagas(now: base.addingTimeInterval(1), limit: 10).map(\.sagaID) == ["timer-1"])
            }
        }
    }
}
