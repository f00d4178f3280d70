@testable import Kafka
import Testing

/// A queued message as the state machine sees it (no librdkafka).
struct FakeMessage: ConsumerQueuedMessage, Equatable {
    var topicPartition: TopicPartition
    var offset: Int64
}

typealias Machine = ConsumerStateMachine<FakeMessage, String>

let p0 = TopicPartition(topic: "t", partition: 0)
let p1 = TopicPartition(topic: "t", partition: 1)

/// `#expect` without its expression capture, for conditions that feed events (mutating calls).
func check(_ condition: Bool, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(condition, comment, sourceLocation: sourceLocation)
}

func message(_ partition: TopicPartition, _ offset: Int64) -> FakeMessage { FakeMessage(topicPartition: partition, offset: offset) }

func machine(prefetchLow: Int = 512, storeBatchLimit: Int = 256, assigned: [TopicPartition] = [p0, p1]) -> Machine {
    var machine = Machine(prefetchLow: prefetchLow, storeBatchLimit: storeBatchLimit)
    check(machine.partitionsAssigned(assigned, cooperative: false) == .assign)
    return machine
}

extension TakeAction {
    var delivered: Delivery? { if case .deliver(let delivery, _) = self { delivery } else { nil } }
    var wakes: Bool {
        switch self {
        case .deliver(_, let wake), .end(let wake), .wait(let wake), .fail(_, let wake): wake
        case .storeOffsets: false
        }
    }
    var offsets: OffsetBatch? { if case .storeOffsets(let batch) = self { batch } else { nil } }
    var isEnd: Bool { if case .end = self { true } else { false } }
    var isWait: Bool { if case .wait = self { true } else { false } }
}

extension ConsumerStateMachine {
    /// The event thread polled `messages`.
    mutating func polled(_ messages: [Message]) -> [(waiter: Waiter, result: Result<Message, KafkaError>)] {
        var round: [Message?] = messages
        return roundPolled(&round)
    }

    mutating func wait(_ waiter: Waiter, runLoop: Bool = false) -> WaiterAction {
        waiterArrived(.init(id: makeWaiterID(), waiter: waiter, runLoop: runLoop), cancelled: false)
    }
}

@Suite("ConsumerStateMachine (events in, actions out, no broker)")
struct ConsumerStateMachineTests {
    @Test func aWaiterGetsTheNextPolledMessageAndWakesTheEventThread() {
        var m = machine()
        check(m.next(completing: nil, byRunLoop: false).isWait)
        check(!m.eventThreadMayProceed, "nobody waits: no poll")
        guard case .queued = m.wait("w") else { Issue.record("expected the waiter to be queued"); return }
        check(m.eventThreadMayProceed)
        guard case .poll(nil) = m.eventThreadProceeds() else { Issue.record("expected a poll, nothing to store"); return }
        let resumes = m.polled([message(p0, 0), message(p1, 0)])
        #expect(resumes.count == 1)
        #expect(resumes.first?.waiter == "w")
        #expect((try? resumes.first?.result.get()) == message(p0, 0))
        let next = m.next(completing: nil, byRunLoop: false)
        #expect(next.delivered?.message == message(p1, 0))
        #expect(next.delivered?.counted == true, "a take outside the run loop counts as a use of the handle")
        check(!m.handleUseEnded(), "no signal while running")
    }

    @Test func theRunLoopsOffsetIsRecordedWhenItsHandlerReturnsAndStoredInBatches() {
        var m = machine(storeBatchLimit: 2)
        check(m.runStarted() == nil)
        _ = m.polled([message(p0, 0), message(p0, 1), message(p0, 2), message(p0, 3)])
        let first = m.next(completing: nil, byRunLoop: true)
        #expect(first.delivered?.message == message(p0, 0))
        #expect(first.delivered?.counted == false, "the run loop keeps the consumer from closing: no count")
        guard case .poll(nil) = m.eventThreadProceeds() else { Issue.record("nothing processed yet: nothing to store"); return }
        check(m.next(completing: (p0, 0), byRunLoop: true).delivered?.message == message(p0, 1))
        // The second record reaches the batch limit: store first, then take.
        let store = m.next(completing: (p0, 1), byRunLoop: true)
        #expect(store.offsets == [p0: 2])
        check(!m.storeTokenFree)
        // Another thread's batch waits while the token is taken (offsets never go backwards).
        check(m.processed(p0, next: 3).isNone)
        check(m.processed(p0, next: 4).isNone, "stays pending while a store is in flight")
        m.offsetsStored()
        check(m.next(completing: nil, byRunLoop: true).delivered?.message == message(p0, 2))
        guard case .poll(let pending) = m.eventThreadProceeds() else { Issue.record("expected a poll"); return }
        #expect(pending == [p0: 4], "pending offsets reach librdkafka before the next poll")
        check(!m.storeTokenFree)
        m.offsetsStored()
    }

    @Test func aRevokeDropsQueuedMessagesAndWaitsForTheHandlerInFlight() {
        var m = machine()
        check(m.runStarted() == nil)
        _ = m.polled([message(p0, 0), message(p1, 0), message(p0, 1), message(p1, 1)])
        check(m.next(completing: nil, byRunLoop: true).delivered?.message == message(p0, 0))
        let dropped = m.revokeStarted([p0])
        #expect(dropped == [message(p0, 1)], "queued messages of the revoked partition are never handed out")
        check(!m.revokeMayFinish, "the handler of p0@0 is still running")
        let next = m.next(completing: (p0, 0), byRunLoop: true)
        #expect(next.wakes, "the waiting revoke must be woken")
        #expect(next.delivered?.message == message(p1, 0))
        check(m.revokeMayFinish, "a handler on a partition that stays does not hold the revoke")
        let finish = m.revokeFinishing([p0], cooperative: true, lost: false)
        #expect(finish.offsets == [p0: 1], "the finished handler's offset is stored before the commit")
        #expect(finish.commit)
        #expect(finish.call == .incrementalUnassign)
        m.offsetsStored()
        check(m.assignment == [p1])
        guard case .fail(let error) = m.processed(p0, next: 2) else { Issue.record("expected a refused store"); return }
        #expect(error.code == .state)
        check(m.next(completing: (p1, 0), byRunLoop: true).delivered?.message == message(p1, 1))
    }

    @Test func aRevokeWaitsForAStoreInFlightAndLostPartitionsAreNotCommitted() {
        var m = machine(storeBatchLimit: 1)
        guard case .storeOffsets(let batch) = m.processed(p1, next: 8) else { Issue.record("expected a store"); return }
        #expect(batch == [p1: 8])
        check(m.revokeStarted([p0, p1]).isEmpty)
        check(!m.revokeMayFinish, "a store in flight finishes before the revoke commits")
        m.offsetsStored()
        check(m.revokeMayFinish)
        let finish = m.revokeFinishing([p0, p1], cooperative: false, lost: true)
        #expect(finish.offsets == nil)
        #expect(!finish.commit, "lost partitions are not committed")
        #expect(finish.call == .unassign)
        check(m.assignment.isEmpty)
    }

    @Test func theRunLoopsPrefetchWakesTheEventThreadOnceBelowItsLowMark() {
        var m = machine(prefetchLow: 2)
        check(m.runStarted() == nil)
        _ = m.polled((0..<4).map { message(p0, $0) })
        check(!m.eventThreadMayProceed)
        check(!m.next(completing: nil, byRunLoop: true).wakes)       // 3 left
        check(!m.next(completing: (p0, 0), byRunLoop: true).wakes)   // 2 left
        check(m.next(completing: (p0, 1), byRunLoop: true).wakes)    // 1 left: below the low mark
        check(m.eventThreadMayProceed)
        check(!m.next(completing: (p0, 2), byRunLoop: true).wakes, "once per batch")
    }

    @Test func closeDuringARunLoopLetsItsHandlerFinishThenCloses() {
        var m = machine()
        check(m.runStarted() == nil)
        _ = m.polled([message(p0, 0), message(p0, 1)])
        check(m.next(completing: nil, byRunLoop: true).delivered?.message == message(p0, 0))
        guard case .stopRunLoop(let waiters) = m.closeRequested() else { Issue.record("expected the run loop to stop"); return }
        #expect(waiters.isEmpty)
        check(m.isRunLoopActive)
        check(!m.eventThreadMayProceed, "stopping: nothing more is polled")
        guard case .none = m.closeRequested() else { Issue.record("a second close changes nothing"); return }
        check(m.next(completing: (p0, 0), byRunLoop: true).isEnd, "the offset is recorded, nothing more handed out")
        guard case .end = m.wait("late") else { Issue.record("expected no waiting once stopping"); return }
        guard case .startClose(let dropped) = m.runEnded() else { Issue.record("expected the close to start"); return }
        #expect(dropped == [message(p0, 1)])
        check(m.eventThreadMayProceed)
        guard case .close(let offsets) = m.eventThreadProceeds() else { Issue.record("expected the close"); return }
        #expect(offsets == [p0: 1], "the last handler's offset is stored on close")
        m.offsetsStored()
        check(m.groupLeft().isEmpty)
        check(!m.mayRelease, "the queue yield is still a use of the handle")
        check(m.handleUseEnded(), "the last use while closing signals the event thread")
        check(m.mayRelease)
        m.handleReleased()
        check(!m.handleUseStarted(), "no use of the handle may start once released")
        m.handleDestroyed()
        check(m.isClosed)
    }

    @Test func theHandleIsReleasedOnlyAfterEveryUseAndStoreEnded() {
        var m = machine(storeBatchLimit: 1)
        _ = m.polled([message(p0, 0)])
        check(m.next(completing: nil, byRunLoop: false).delivered?.counted == true)  // an iterator converts it
        check(m.handleUseStarted())                               // a commit or a lag report
        guard case .queued = m.wait("iterator") else { Issue.record("expected the waiter to be queued"); return }
        guard case .startClose(let dropped) = m.closeRequested() else { Issue.record("expected the close to start"); return }
        #expect(dropped.isEmpty)
        guard case .end = m.wait("late") else { Issue.record("expected no waiting once closing"); return }
        check(m.runStarted()?.code == .destroyed)
        guard case .close(nil) = m.eventThreadProceeds() else { Issue.record("expected the close"); return }
        guard case .storeOffsets = m.processed(p0, next: 1) else { Issue.record("stores are still taken while closing"); return }
        check(m.groupLeft() == ["iterator"], "waiters end once the group was left")
        check(!m.handleUseEnded())  // the yield
        check(!m.handleUseEnded())  // the commit
        check(!m.handleUseEnded())  // the iterator's conversion
        check(!m.mayRelease, "a store is in flight")
        m.offsetsStored()
        check(m.mayRelease)
        m.handleReleased()
        guard case .fail(let error) = m.processed(p0, next: 2) else { Issue.record("expected a refused store"); return }
        #expect(error.code == .destroyed)
    }

    @Test func aSecondRunIsRefusedACancelledWaiterIsRemovedAndAFatalErrorReachesWaiters() {
        var m = machine()
        check(m.runStarted() == nil)
        check(m.runStarted()?.code == .state)
        guard case .signal = m.runEnded() else { Issue.record("expected a signal"); return }
        check(!m.isRunLoopActive)
        let id = m.makeWaiterID()
        guard case .queued = m.waiterArrived(.init(id: id, waiter: "cancelled", runLoop: false), cancelled: false) else {
            Issue.record("expected the waiter to be queued"); return
        }
        check(m.waiterCancelled(id: id) == "cancelled")
        check(m.waiterCancelled(id: id) == nil)
        guard case .queued = m.wait("w") else { Issue.record("expected the waiter to be queued"); return }
        m.fatalErrorOccurred(KafkaError(code: .fatal, message: "boom", operation: "consume", isFatal: true))
        let resumes = m.polled([])
        #expect(resumes.map(\.waiter) == ["w"])
        #expect(throws: KafkaError.self) { try resumes.first?.result.get() }
    }

    @Test func lagUsesTheProcessedOffsetsAndCountsAUseOfTheHandle() {
        var m = machine()
        check(m.processed(p0, next: 5).isNone)
        let positions = m.lagRequested()
        let expected: [TopicPartition: Int64?] = [p0: 5, p1: nil]
        #expect(positions == expected, "p1: nothing processed since assigned (librdkafka's position is used)")
        check(!m.handleUseEnded())
        _ = m.closeRequested()
        check(m.lagRequested() == nil, "no lag once closing")
    }
}

extension ConsumerStateMachine.ProcessedAction {
    var isNone: Bool { if case .none = self { true } else { false } }
}
