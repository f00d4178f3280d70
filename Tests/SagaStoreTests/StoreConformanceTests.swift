import Foundation
import SagaCore
import SagaSQLite
import SagaAvro
import SagaTestSupport
import Testing

/// Every store test, run against each store of ``StoreKind/underTest``: SQLite, and PostgreSQL
/// when `SAGA_TEST_DATABASE_URL` names the test database.
@Suite struct StoreConformanceTests {
    private func started(_ id: String = "saga-1") throws -> SagaTransition {
        try Fixtures.orderSaga().start(
            sagaID: id, data: OrderData(orderID: "o-\(id)", amount: 5), causationID: "start-\(id)",
            environment: TransitionEnvironment(now: Date(timeIntervalSince1970: 1_000_000.25), random: 0.5)
        )
    }

    private func commitStart(_ t: SagaTransition, inbox: InboxEntry? = nil, in store: any SagaStore) async throws -> CommitResult {
        try await store.commit(SagaCommit(
            inbox: inbox, saga: .insert(t.state), sagaID: t.state.sagaID, history: t.history, outbox: t.commands
        ))
    }

    private func entry(_ id: String, offset: Int64 = 0) -> InboxEntry {
        InboxEntry(consumer: "orchestrator", messageID: id, topic: "order.replies", partition: 0, offset: offset)
    }

    @Test(arguments: StoreKind.underTest) func insertedStateReadsBackUnchanged(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let t = try started()
            #expect(try await commitStart(t, in: store) == .committed(version: 0))
            let loaded = try #require(try await store.load(sagaID: "saga-1"))
            #expect(loaded == t.state)
            #expect(try await store.load(sagaID: "nope") == nil)
            #expect(try await store.countByStatus() == [.running: 1])
        }
    }

    /// The relay's read while batches are in flight: the rows it holds are left out, and `limit`
    /// counts the others (PostgreSQL claims none of the excluded again).
    @Test(arguments: StoreKind.underTest) func pendingRowsInFlightAreLeftOutOfTheRead(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let messages = (0..<5).map { OutgoingMessage(topic: "t", key: Array("s\($0)".utf8), value: [UInt8($0)], headers: []) }
            _ = try await store.commit(SagaCommit(outbox: messages))
            let all = try await store.pendingOutbox(limit: 10)
            #expect(all.map(\.message.value) == [[0], [1], [2], [3], [4]])
            let ids = all.map(\.id)
            #expect(try await store.pendingOutbox(limit: 2, excluding: [ids[0], ids[2]]).map(\.id) == [ids[1], ids[3]])
            #expect(try await store.pendingOutbox(limit: 10, excluding: Set(ids)).isEmpty)
            #expect(try await store.pendingOutbox(limit: 2, excluding: []).map(\.id) == Array(ids.prefix(2)))
        }
    }

    @Test(arguments: StoreKind.underTest) func secondStartWithTheSameSagaIDIsIdempotent(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            #expect(try await commitStart(try started(), inbox: entry("start-a"), in: store) == .committed(version: 0))
            #expect(try await commitStart(try started(), inbox: entry("start-b"), in: store) == .sagaExists)
            #expect(try await store.pendingOutbox(limit: 10).count == 1)
            #expect(try await store.history(sagaID: "saga-1").count == 1)
            // The rejected start left nothing behind, not even its inbox row.
            #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: "start-b"))
        }
    }

    @Test(arguments: StoreKind.underTest) func staleUpdateIsRejectedAndRollsBackEverything(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let t = try started()
            _ = try await commitStart(t, in: store)
            var next = try Fixtures.orderSaga().apply(
                .reply(StepReply(messageID: "r1", causationID: t.state.pendingRequestID ?? "", sagaID: "saga-1", status: .succeeded,
                    messageType: TestReservation.messageType, payload: try TestReservation(reservationID: "x").encodePayload())),
                to: t.state, environment: .live()
            )
            #expect(try await store.commit(SagaCommit(inbox: entry("r1"), saga: .update(next.state), sagaID: "saga-1",
                history: next.history, outbox: next.commands)) == .committed(version: 1))
            // A second writer that read version 0 loses.
            next.state.status = .failed
            await #expect(throws: SagaStoreError.self) {
                try await store.commit(SagaCommit(inbox: entry("r2"), saga: .update(next.state), sagaID: "saga-1",
                    history: [.finished(sequence: 2, outcome: .succeeded, error: nil, at: Date())],
                    outbox: [OutgoingMessage(topic: "x", key: [], value: [], headers: [])]))
        }
        #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: "r2"))
        #expect(try await store.pendingOutbox(limit: 10).map(\.message.topic) == ["inventory.commands", "payments.commands"])
        #expect(try await store.load(sagaID: "saga-1")?.status == .running)
        #expect(try await store.load(sagaID: "saga-1")?.version == 1)
        #expect(try await store.history(sagaID: "saga-1").last?.outcome == nil)
        }
    }

    /// ``SagaStore/batch(_:_:)``: later reads of the transaction see its earlier writes, and a
    /// body that throws keeps nothing of any commit made in it.
    @Test(arguments: StoreKind.underTest) func aBatchSeesItsOwnWritesAndRollsBackAsAWhole(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let t = try started()
            struct Abandon: Error {}
            await #expect(throws: Abandon.self) {
                try await store.batch("abandoned batch") { transaction in
                    _ = try transaction.write(SagaCommit(inbox: entry("start-x"), saga: .insert(t.state), sagaID: "saga-1",
                        history: t.history, outbox: t.commands))
                    guard try transaction.load(sagaID: "saga-1") != nil else { return }
                    throw Abandon()
                }
            }
            #expect(try await store.load(sagaID: "saga-1") == nil)
            #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: "start-x"))
            #expect(try await store.pendingOutbox(limit: 10).isEmpty)

            let results = try await store.batch("batch") { transaction -> [CommitResult] in
                var results = [try transaction.write(SagaCommit(inbox: entry("start-y"), saga: .insert(t.state), sagaID: "saga-1",
                    history: t.history, outbox: t.commands))]
                var state = try #require(try transaction.load(sagaID: "saga-1"))
                state.attempt = 2
                results.append(try transaction.write(SagaCommit(inbox: entry("bump"), saga: .update(state), sagaID: "saga-1")))
                results.append(try transaction.write(SagaCommit(inbox: entry("bump"))))
                return results
            }
            #expect(results == [.committed(version: 0), .committed(version: 1), .duplicateMessage])
            #expect(try await store.load(sagaID: "saga-1")?.attempt == 2)
            #expect(try await store.load(sagaID: "saga-1")?.version == 1)
            #expect(try await store.pendingOutbox(limit: 10).count == t.commands.count)
        }
    }

    /// In a batch, a stale update or a start of a saga that exists fails the whole transaction,
    /// with the commits before it, even where the store checks it only when the transaction
    /// ends (PostgreSQL); sagas read ahead (`prefetch`) read back as `load` reads them.
    @Test(arguments: StoreKind.underTest) func aStaleCommitInABatchUndoesTheWholeBatch(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let t = try started(), other = try started("saga-2")
            _ = try await commitStart(t, in: store)
            await #expect(throws: SagaStoreError.self) {
                try await store.batch("stale batch") { transaction in
                    try transaction.prefetch(sagaIDs: ["saga-1", "saga-2", "saga-1"])
                    #expect(try transaction.load(sagaID: "saga-1") == t.state)
                    #expect(try transaction.load(sagaID: "saga-2") == nil)
                    _ = try transaction.write(SagaCommit(inbox: entry("start-2"), saga: .insert(other.state), sagaID: "saga-2",
                        history: other.history, outbox: other.commands))
                    var stale = t.state
                    stale.version = 7
                    _ = try transaction.write(SagaCommit(inbox: entry("stale"), saga: .update(stale), sagaID: "saga-1"))
                }
            }
            await #expect(throws: (any Error).self) {
                try await store.batch("existing start") { transaction in
                    _ = try transaction.write(SagaCommit(inbox: entry("start-2b"), saga: .insert(other.state), sagaID: "saga-2",
                        history: other.history, outbox: other.commands))
                    _ = try transaction.write(SagaCommit(inbox: entry("start-1b"), saga: .insert(t.state), sagaID: "saga-1",
                        history: t.history, outbox: t.commands))
                }
            }
            #expect(try await store.load(sagaID: "saga-2") == nil)
            #expect(try await store.load(sagaID: "saga-1")?.version == 0)
            for id in ["start-2", "stale", "start-2b", "start-1b"] {
                #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: id), "\(id)")
            }
            #expect(try await store.pendingOutbox(limit: 10).count == t.commands.count)
        }
    }

    /// Inbox entries recorded ahead of a batch's commits (`prerecord`, one statement on
    /// PostgreSQL) deduplicate as the commits' own would: a message the inbox held before, and a
    /// second delivery of one in the same batch, are duplicates and write nothing; the others
    /// commit with their entries. A batch that fails keeps none of the entries.
    @Test(arguments: StoreKind.underTest) func inboxEntriesRecordedAheadDeduplicateAsTheCommitsWould(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let message = OutgoingMessage(topic: "t", key: [1], value: [2], headers: [])
            #expect(try await store.commit(SagaCommit(inbox: entry("old"), outbox: [message])) == .committed(version: nil))
            let results = try await store.batch("batch with entries ahead") { transaction in
                let entries = [entry("old", offset: 5), entry("new", offset: 6), entry("new", offset: 7), entry("other", offset: 8)]
                try transaction.prerecord(inbox: entries)
                return try entries.map { try transaction.write(SagaCommit(inbox: $0, outbox: [message])) }
            }
            #expect(results == [.duplicateMessage, .committed(version: nil), .duplicateMessage, .committed(version: nil)])
            #expect(try await store.pendingOutbox(limit: 10).count == 3)
            for id in ["old", "new", "other"] { #expect(try await store.isProcessed(consumer: "orchestrator", messageID: id), "\(id)") }

            await #expect(throws: (any Error).self) {
                try await store.batch("failing batch with entries ahead") { transaction in
                    try transaction.prerecord(inbox: [entry("lost"), entry("lost-too")])
                    _ = try transaction.write(SagaCommit(inbox: entry("lost"), outbox: [message]))
                    var stale = try started().state
                    stale.version = 3
                    _ = try transaction.write(SagaCommit(inbox: entry("lost-too"), saga: .update(stale), sagaID: stale.sagaID))
                }
            }
            for id in ["lost", "lost-too"] { #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: id), "\(id)") }
            #expect(try await store.pendingOutbox(limit: 10).count == 3)
        }
    }

    @Test(arguments: StoreKind.underTest) func inboxDeduplicatesPerConsumer(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let message = OutgoingMessage(topic: "t", key: [1], value: [2], headers: [SagaHeader("a", "b")])
            #expect(try await store.commit(SagaCommit(inbox: entry("m1"), outbox: [message])) == .committed(version: nil))
            #expect(try await store.commit(SagaCommit(inbox: entry("m1", offset: 9), outbox: [message])) == .duplicateMessage)
            var other = entry("m1")
            other.consumer = "inventory-service"
            #expect(try await store.commit(SagaCommit(inbox: other)) == .committed(version: nil))
            #expect(try await store.pendingOutbox(limit: 10).count == 1)
            #expect(try await store.isProcessed(consumer: "orchestrator", messageID: "m1"))
        }
    }

    @Test(arguments: StoreKind.underTest) func outboxKeepsOrderAndBytesUntilMarkedPublished(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let messages = (0..<5).map { i in
                OutgoingMessage(topic: "t\(i % 2)", key: Array("k\(i)".utf8), value: [UInt8(i), 0, 255],
                    headers: [SagaHeader("message-id", "m\(i)"), SagaHeader(key: "bin", value: [0, 1, 2]), SagaHeader("empty", ""),
                        SagaHeader("zahlungs-id-ä", "₹")])
        }
        _ = try await store.commit(SagaCommit(outbox: Array(messages[0..<3])))
        _ = try await store.commit(SagaCommit(outbox: Array(messages[3...])))
        let pending = try await store.pendingOutbox(limit: 10)
        #expect(pending.map(\.message) == messages)
        #expect(pending.map(\.id) == pending.map(\.id).sorted())
        try await store.markPublished(Array(pending.prefix(2).map(\.id)), at: Date())
        #expect(try await store.pendingOutbox(limit: 10).map(\.message) == Array(messages[2...]))
        #expect(try await store.pendingOutbox(limit: 1).map(\.message) == [messages[2]])
        #expect(try await store.purgeExpired(before: Date().addingTimeInterval(60)) == 2)
        #expect(try await store.pendingOutbox(limit: 10).count == 3)
        }
    }

    @Test(arguments: StoreKind.underTest) func purgeDeletesExpiredRowsOldestFirstAtMostLimitOfEachKind(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let messages = (0..<5).map { OutgoingMessage(topic: "t", key: [UInt8($0)], value: [1], headers: []) }
            _ = try await store.commit(SagaCommit(outbox: messages))
            for id in ["m1", "m2", "m3"] { _ = try await store.commit(SagaCommit(inbox: entry(id))) }
            let participants = try #require(store as? any ParticipantStore)
            try await Self.rememberReplies(["k1", "k2", "k3"], in: participants)
            let rows = try await store.pendingOutbox(limit: 10)
            // Published at 1,000 s, 2,000 s, ... after 1970, in reverse id order; the last row stays unpublished.
            for (index, row) in rows.prefix(4).enumerated() {
                try await store.markPublished([row.id], at: Date(timeIntervalSince1970: Double(4 - index) * 1000))
            }
            let early = Date(timeIntervalSince1970: 2500)
            #expect(try await store.purge(before: early, limit: 1) == 1)  // published at 1,000 s: oldest first
            #expect(try await store.purge(before: early, limit: 5) == 1)  // 2,000 s; the rest are newer than the cutoff
            #expect(try await store.purge(before: early, limit: 5) == 0)
            #expect(try await store.pendingOutbox(limit: 10).map(\.id) == [rows[4].id])

            let later = Date().addingTimeInterval(60)
            #expect(try await store.purge(before: later, limit: 2) == 6)  // 2 of each kind
            // The two oldest inbox entries went first.
            #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: "m1"))
            #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: "m2"))
            #expect(try await store.isProcessed(consumer: "orchestrator", messageID: "m3"))
            #expect(try await store.purge(before: later, limit: 2) == 2)  // the last inbox entry and reply; no published row left
            #expect(try await store.purge(before: later, limit: 2) == 0)
            for id in ["m1", "m2", "m3"] { #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: id)) }
            #expect(try await store.pendingOutbox(limit: 10).map(\.message) == [messages[4]])  // never published, never purged
            #expect(try await store.purge(before: later, limit: 0) == 0)
        }
    }

    @Test(arguments: StoreKind.underTest) func purgeExpiredRunsBoundedPurgesUntilNothingIsLeft(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            for index in 0..<7 { _ = try await store.commit(SagaCommit(inbox: entry("m\(index)"))) }
            let participants = try #require(store as? any ParticipantStore)
            try await Self.rememberReplies(["k1", "k2"], in: participants)
            #expect(try await store.purgeExpired(before: Date().addingTimeInterval(-60), batch: 2) == 0)  // nothing expired yet
            #expect(try await store.purgeExpired(before: Date().addingTimeInterval(60), batch: 0) == 0)  // no batch, no loop
            #expect(try await store.purgeExpired(before: Date().addingTimeInterval(60), batch: 2) == 9)
            for index in 0..<7 { #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: "m\(index)")) }
        }
    }

    /// A saga of `status` that started at `started` and last changed at `changed` (seconds since
    /// 1970), with its first step's history row and a timeline entry.
    private func commitFinished(_ id: String, _ status: SagaStatus, started start: Double, changed: Double, in store: any SagaStore) async throws {
        let t = try started(id)
        var state = t.state
        state.status = status
        state.createdAt = Date(timeIntervalSince1970: start)
        state.updatedAt = Date(timeIntervalSince1970: changed)
        let entry = SagaTimelineEntry(at: state.createdAt, kind: .lifecycle, detail: "started")
        #expect(try await store.commit(SagaCommit(saga: .insert(state), sagaID: id, history: t.history, timeline: [entry]))
            == .committed(version: 0))
    }

    @Test(arguments: StoreKind.underTest) func finishedSagasLeaveTombstonesOldestFirstAtMostLimitOfEachStatus(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            try await commitFinished("a", .completed, started: 1_000, changed: 1_100, in: store)
            try await commitFinished("b", .compensated, started: 2_000, changed: 2_100, in: store)
            try await commitFinished("c", .completed, started: 3_000, changed: 3_100, in: store)
            try await commitFinished("running", .running, started: 500, changed: 600, in: store)
            try await commitFinished("parked", .failed, started: 500, changed: 600, in: store)
            try await commitFinished("resolved-late", .completed, started: 500, changed: 5_000, in: store)
            try await commitFinished("recent", .completed, started: 9_000, changed: 9_100, in: store)
            let cutoff = Date(timeIntervalSince1970: 4_000)

            #expect(try await store.purgeFinished(startedBefore: cutoff, limit: 1) == 2)  // "a" (oldest completed) and "b"
            #expect(try await store.load(sagaID: "a") == nil)
            #expect(try await store.load(sagaID: "c") != nil)
            #expect(try await store.purgeFinished(startedBefore: cutoff, limit: 5) == 1)  // "c"
            #expect(try await store.purgeFinished(startedBefore: cutoff, limit: 5) == 0)
            #expect(try await store.countByStatus() == [.running: 1, .failed: 1, .completed: 2])

            // Instance, history and timeline are gone; the tombstone tells how it ended.
            #expect(try await store.history(sagaID: "a").isEmpty)
            #expect(try await store.timeline(sagaID: "a") == nil)
            #expect(try await store.report(sagaID: "a") == nil)
            #expect(try await store.timeline(sagaID: "recent")?.entries.count == 1)
            let a = try #require(try await store.tombstone(sagaID: "a"))
            #expect(a == SagaTombstone(sagaID: "a", sagaType: "order", status: .completed, startedAt: Date(timeIntervalSince1970: 1_000),
                endedAt: Date(timeIntervalSince1970: 1_100), removedAt: a.removedAt))
            #expect(try await store.tombstone(sagaID: "b")?.status == .compensated)
            #expect(try await store.tombstone(sagaID: "running") == nil)
            #expect(try await store.tombstone(sagaID: "nope") == nil)

            // A second start of a removed saga is refused as for one that exists, and leaves nothing.
            #expect(try await commitStart(try started("a"), inbox: entry("start-a-again"), in: store) == .sagaExists)
            #expect(try await store.load(sagaID: "a") == nil)
            #expect(try await !store.isProcessed(consumer: "orchestrator", messageID: "start-a-again"))
            #expect(try await store.pendingOutbox(limit: 10).isEmpty)

            // The bounded rounds until nothing is left; a saga resolved after the cutoff waits for a later one.
            #expect(try await store.purgeFinished(startedBefore: Date(timeIntervalSince1970: 10_000), batch: 1) == 2)
            #expect(try await store.countByStatus() == [.running: 1, .failed: 1])
        }
    }

    @Test(arguments: StoreKind.underTest) func aCommitWritesItsAuditEntryAndRecordInTheSameTransaction(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            _ = try await commitStart(try started(), in: store)
            var state = try #require(try await store.load(sagaID: "saga-1"))
            let entry = AuditEntry(actor: "ops", role: "operator", action: .sagaResolve, target: "saga-1", note: "by hand",
                outcome: .applied, detail: "the saga is running now")
            let record = OutgoingMessage(topic: "saga.audit", key: Array("saga-1".utf8), value: Array("{}".utf8), headers: [])
            let outboxBefore = try await store.pendingOutbox(limit: 100).count
            state.stepIndex += 1
            #expect(try await store.commit(SagaCommit(saga: .update(state), sagaID: "saga-1", audit: AuditWrite(entry: entry, message: record)))
                == .committed(version: 1))
            let recorded = try #require(try await store.auditEntry(id: entry.id))
            #expect(recorded.sequence > 0 && recorded.action == .sagaResolve && recorded.note == "by hand" && recorded.outcome == .applied)
            #expect(try await store.auditEntries(before: nil, target: "saga-1", limit: 10) == [recorded])
            #expect(try await store.pendingOutbox(limit: 100).map(\.message).dropFirst(outboxBefore) == [record])
            #expect(try await store.auditEntry(id: "no-such-entry") == nil)

            // A stale change writes nothing, its entry neither.
            let stale = AuditEntry(actor: "ops", role: "operator", action: .sagaRetry, target: "saga-1", note: nil, outcome: .applied, detail: nil)
            await #expect(throws: SagaStoreError.self) {
                try await store.commit(SagaCommit(saga: .update(state), sagaID: "saga-1", audit: AuditWrite(entry: stale, message: record)))
            }
            #expect(try await store.auditEntry(id: stale.id) == nil)
            #expect(try await store.pendingOutbox(limit: 100).count == outboxBefore + 1)
        }
    }

    /// Remembers a participant's successful reply per key, as a participant's transaction does.
    static func rememberReplies<Store: ParticipantStore>(_ keys: [String], in store: Store) async throws {
        try await store.transaction("remember replies") { transaction in
            for key in keys { try transaction.rememberSuccess(consumer: "payment-service", idempotencyKey: key, payload: nil) }
        }
    }

    @Test(arguments: StoreKind.underTest) func historyRecordsAttemptsOutcomesAndLateReplies(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let definition = try Fixtures.orderSaga()
            let t0 = try started()
            _ = try await commitStart(t0, in: store)
            let timedOutRequest = try #require(t0.state.pendingRequestID)
            var state = try #require(try await store.load(sagaID: "saga-1"))
            var env = TransitionEnvironment(now: try #require(state.deadline), random: 0)
            for event in [SagaEvent.deadlineReached, .deadlineReached] {  // time out, then back off and resend
                let t = try definition.apply(event, to: state, environment: env)
                _ = try await store.commit(SagaCommit(saga: .update(t.state), sagaID: "saga-1", history: t.history, outbox: t.commands))
                state = try #require(try await store.load(sagaID: "saga-1"))
                env.now = state.deadline ?? env.now
        }
        let late = try definition.apply(
            .reply(StepReply(messageID: "late-1", causationID: timedOutRequest, sagaID: "saga-1", status: .succeeded)),
            to: state, environment: env
        )
        #expect(late.ignored == .lateReply)
        _ = try await store.commit(SagaCommit(inbox: entry("late-1"), sagaID: "saga-1", history: late.history))
        let history = try await store.history(sagaID: "saga-1")
        #expect(history.map(\.attempt) == [1, 2])
        #expect(history.map(\.stepName) == ["reserveStock", "reserveStock"])
        #expect(history[0].outcome == .timedOut && history[0].error?.contains("no reply within") == true)
        #expect(history[0].finishedAt != nil && history[1].finishedAt == nil)
        #expect(history[0].lateReply?.replyID == "late-1" && history[0].lateReply?.status == .succeeded)
        #expect(history[1].lateReply == nil)
        #expect(history[1].requestID == state.pendingRequestID)
        }
    }

    @Test(arguments: StoreKind.underTest) func timersSurviveReopeningTheStore(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let base = Date(timeIntervalSince1970: 2_000_000)
            for (i, offset) in [30.0, 10.0, 20.0].enumerated() {
                var t = try started("s\(i)")
                t.state.deadline = base.addingTimeInterval(offset)
                _ = try await harness.store.commit(SagaCommit(saga: .insert(t.state), sagaID: t.state.sagaID))
        }
        try await harness.reopened { (reopened: any SagaReportStore) async throws -> Void in
            #expect(try await reopened.nextDeadline() == base.addingTimeInterval(10))
            #expect(try await reopened.dueSagas(now: base.addingTimeInterval(25), limit: 10).map(\.sagaID) == ["s1", "s2"])
            #expect(try await reopened.dueSagas(now: base, limit: 10).isEmpty)
        }
        }
    }

    @Test(arguments: StoreKind.underTest) func dlqRecordIsReplayedOnceUnlessForced(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let request = ReplayRequest(replayID: "rp-1", dlqTopic: "payment.commands.dlq", dlqPartition: 2, dlqOffset: 7,
                originalTopic: "payment.commands", requestedAt: Date(timeIntervalSince1970: 5))
            #expect(try await store.beginReplay(request, force: false).outcome == .pending)
            var again = request
            again.replayID = "rp-2"
            await #expect(throws: SagaStoreError.self) { try await store.beginReplay(again, force: false) }
            #expect(try await store.beginReplay(again, force: true).forced)
            try await store.finishReplay(replayID: "rp-1", outcome: .deadLetteredAgain, detail: "still bad", at: Date(timeIntervalSince1970: 9))
            let record = try #require(try await store.replay(id: "rp-1"))
            #expect(record.outcome == .deadLetteredAgain && record.detail == "still bad")
            #expect(record.outcomeAt == Date(timeIntervalSince1970: 9) && record.request == request)
            #expect(try await store.replay(id: "rp-2")?.outcome == .pending)
            // A replay that never reached the broker does not block the next one.
            var other = request
            other.dlqOffset = 8
            other.replayID = "rp-3"
            _ = try await store.beginReplay(other, force: false)
            try await store.finishReplay(replayID: "rp-3", outcome: .notPublished, detail: "broker down", at: Date())
            other.replayID = "rp-4"
            #expect(try await store.beginReplay(other, force: false).outcome == .pending)
        }
    }

    @Test(arguments: StoreKind.underTest) func listProgressAndItemsReadBack(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            var t = try started()
            let at = Date(timeIntervalSince1970: 1_000_010.5)
            t.state.listProgress = ListProgress(items: [
                ListItemProgress(status: .done, attempt: 1, sequence: 2),
                ListItemProgress(status: .awaiting, attempt: 2, sequence: 3, deadline: at, uncertain: true),
                ListItemProgress(),
            ])
            let history: [StepHistoryChange] = [
                .started(sequence: 2, requestID: "r-2", phase: .forward, stepIndex: 1, stepName: "collect", attempt: 1, at: at,
                    uncertain: false, item: 0),
                .started(sequence: 3, requestID: "r-3", phase: .forward, stepIndex: 1, stepName: "collect", attempt: 2, at: at,
                    uncertain: true, item: 1),
            ]
            _ = try await harness.store.commit(SagaCommit(saga: .insert(t.state), sagaID: "saga-1", history: history))
            #expect(try await harness.store.load(sagaID: "saga-1") == t.state)
            let attempts = try await harness.store.history(sagaID: "saga-1")
            #expect(attempts.map(\.item) == [0, 1])
            #expect(attempts.map(\.compensatesUncertainStep) == [false, true])
        }
    }
}
