import Foundation
import SagaCore
import SagaTestSupport
import Testing

/// Sagas' timelines on both stores: entries written with the commit that caused them (and rolled
/// back with it), read back in order with their payloads, merged with the operators' actions.
@Suite struct TimelineConformanceTests {
    private let t0 = Date(timeIntervalSince1970: 2_000_000)

    private func started(_ id: String) throws -> SagaTransition {
        try Fixtures.orderSaga().start(
            sagaID: id, data: OrderData(orderID: "o-\(id)", amount: 5), causationID: "start-\(id)",
            environment: TransitionEnvironment(now: t0, random: 0.5)
        )
    }

    private func inbox(_ id: String) -> InboxEntry {
        InboxEntry(consumer: "orchestrator", messageID: id, topic: "order.replies", partition: 0, offset: 0)
    }

    /// What the orchestrator writes for a start: its lifecycle event, then its first command.
    private func startEntries(_ t: SagaTransition) -> [SagaTimelineEntry] {
        [
            SagaTimelineEntry(at: t0, kind: .lifecycle, topic: "saga.events", messageType: "test.Started", messageID: "e1",
                payload: [0xC3, 0x01, 1, 2], detail: "started"),
            SagaTimelineEntry(at: t0, kind: .command, step: "reserveStock", attempt: 1, topic: "inventory.commands",
                messageType: "test.Reserve", messageID: t.state.pendingRequestID, payload: t.commands[0].value),
        ]
    }

    @Test(arguments: StoreKind.underTest) func entriesAreWrittenWithTheirCommitAndReadBackInOrder(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let t = try started("saga-t")
            let request = try #require(t.state.pendingRequestID)
            #expect(try await store.commit(SagaCommit(saga: .insert(t.state), sagaID: "saga-t", history: t.history,
                outbox: t.commands, timeline: startEntries(t))) == .committed(version: 0))
            // A reply with an empty payload and one with a list item; neither names its step: the command's is shown.
            let reply = SagaTimelineEntry(at: t0.addingTimeInterval(1), kind: .reply, topic: "order.replies", messageType: "test.Reserved",
                messageID: "r1", causationID: request, payload: [], outcome: "succeeded")
            let timer = SagaTimelineEntry(at: t0.addingTimeInterval(2), kind: .timer, step: "charge", attempt: 1, outcome: "replyTimeout")
            #expect(try await store.commit(SagaCommit(inbox: inbox("r1"), sagaID: "saga-t", timeline: [reply, timer]))
                == .committed(version: nil))
            let audit = AuditEntry(at: t0.addingTimeInterval(1.5), actor: "ops", role: "operator", action: .sagaRetry, target: "saga-t",
                note: "ticket 7", outcome: .applied, detail: "the saga is running now")
            _ = try await store.recordAudit(audit, message: nil)

            let timeline = try #require(try await store.timeline(sagaID: "saga-t"))
            #expect(timeline.state == t.state)
            #expect(timeline.entries.map(\.kind) == [.lifecycle, .command, .reply, .operator, .timer])
            #expect(timeline.entries.map(\.sequence) == [1, 2, 3, 4, 5])
            #expect(timeline.entries[0].payload == [0xC3, 0x01, 1, 2] && timeline.entries[0].detail == "started")
            #expect(timeline.entries[1].payload == t.commands[0].value && timeline.entries[1].at == t0)
            let read = timeline.entries[2]
            #expect(read.step == "reserveStock" && read.attempt == 1 && read.causationID == request && read.payload == [])
            #expect(read.outcome == "succeeded" && read.topic == "order.replies" && read.messageID == "r1")
            let action = timeline.entries[3]
            #expect(action.messageType == "saga.retry" && action.outcome == "applied" && action.detail?.contains("ticket 7") == true)
            #expect(timeline.entries[4].payload == nil && timeline.entries[4].outcome == "replyTimeout" && timeline.entries[4].step == "charge")
            #expect(try await store.timeline(sagaID: "nope") == nil)
            // Another process sees the same.
            try await harness.reopened { (again: any SagaReportStore) async throws -> Void in
                let entries = try await again.timeline(sagaID: "saga-t")?.entries
                #expect(entries == timeline.entries)
            }
        }
    }

    @Test(arguments: StoreKind.underTest) func aCommitThatFailsOrIsADuplicateWritesNoEntries(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let t = try started("saga-u")
            _ = try await store.commit(SagaCommit(inbox: inbox("start"), saga: .insert(t.state), sagaID: "saga-u", timeline: startEntries(t)))
            let extra = [SagaTimelineEntry(at: t0, kind: .reply, messageID: "x")]
            // A stale update: the state, the history, the outbox and the timeline entries are all rolled back.
            var stale = t.state
            stale.version = 7
            await #expect(throws: SagaStoreError.self) {
                try await store.commit(SagaCommit(inbox: inbox("r2"), saga: .update(stale), sagaID: "saga-u", timeline: extra))
            }
            // A second start of the same id, and a redelivered message: nothing.
            #expect(try await store.commit(SagaCommit(saga: .insert(t.state), sagaID: "saga-u", timeline: extra)) == .sagaExists)
            #expect(try await store.commit(SagaCommit(inbox: inbox("start"), sagaID: "saga-u", timeline: extra)) == .duplicateMessage)
            #expect(try await store.timeline(sagaID: "saga-u")?.entries.count == 2)
        }
    }

    @Test(arguments: StoreKind.underTest) func aLargeCommitIsWrittenWhole(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let store = harness.store
            let t = try started("saga-v")
            // More rows than one statement carries: every one is kept, in order.
            let many = (0..<1_234).map { index in
                SagaTimelineEntry(at: t0, kind: .command, step: "s", attempt: 1, item: index, topic: "t", messageType: "m",
                    messageID: "c\(index)", payload: [UInt8(index % 256)])
            }
            _ = try await store.commit(SagaCommit(saga: .insert(t.state), sagaID: "saga-v", timeline: many))
            let entries = try #require(try await store.timeline(sagaID: "saga-v")).entries
            #expect(entries.map(\.item) == many.map(\.item) && entries.map(\.payload) == many.map(\.payload))
        }
    }
}
