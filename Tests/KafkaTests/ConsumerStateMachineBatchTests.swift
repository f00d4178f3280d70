@testable import Kafka
import Testing

typealias Completed = (partition: TopicPartition, offset: Int64)

extension ConsumerStateMachine {
    /// The `run(batchesOf:)` loop finished `completed` and takes the next batch.
    mutating func batch(completing completed: [Completed] = [], limit: Int) -> (action: TakeAction<Int>, taken: [Message]) {
        var taken: [Message] = []
        let action = nextBatch(completing: completed, limit: limit, into: &taken)
        return (action, taken)
    }
}

func completed(_ messages: [FakeMessage]) -> [Completed] { messages.map { ($0.topicPartition, $0.offset) } }

@Suite("ConsumerStateMachine batches (events in, actions out, no broker)")
struct ConsumerStateMachineBatchTests {
    @Test func aBatchTakesWhatIsQueuedUpToItsLimitAndRecordsItsOffsetsWhenItsHandlerReturns() {
        var m = machine(storeBatchLimit: 4)
        check(m.runStarted() == nil)
        _ = m.polled([message(p0, 0), message(p1, 0), message(p0, 1), message(p1, 1), message(p0, 2)])
        let first = m.batch(limit: 3)
        #expect(first.action == .deliver(3, wake: false))
        #expect(first.taken == [message(p0, 0), message(p1, 0), message(p0, 1)], "arrival order, at most the limit")
        guard case .poll(nil) = m.eventThreadProceeds() else { Issue.record("nothing handled yet: nothing to store"); return }
        // Three records stay below the store limit (4): recorded, taken with the next batch.
        let second = m.batch(completing: completed(first.taken), limit: 3)
        #expect(second.action == .deliver(2, wake: false))
        #expect(second.taken == [message(p1, 1), message(p0, 2)], "never waits to fill a batch")
        // Two more reach the limit: the offsets are stored before anything else is taken.
        let store = m.batch(completing: completed(second.taken), limit: 3)
        #expect(store.action == .storeOffsets([p0: 3, p1: 2]), "the next offset to read, per partition")
        #expect(store.taken.isEmpty)
        m.offsetsStored()
        #expect(m.batch(limit: 3).action == .wait(wake: false), "nothing queued: the loop waits for one message")
    }

    @Test func aRevokeWaitsForEveryPartitionOfTheBatchInFlight() {
        var m = machine()
        check(m.runStarted() == nil)
        _ = m.polled([message(p0, 0), message(p1, 0), message(p1, 1)])
        let batch = m.batch(limit: 2)
        #expect(batch.taken == [message(p0, 0), message(p1, 0)])
        #expect(m.revokeStarted([p1]) == [message(p1, 1)], "queued messages of the revoked partition are never handed out")
        check(!m.revokeMayFinish, "p1@0 is in the batch its handler works on, although p0@0 came first")
        let next = m.batch(completing: completed(batch.taken), limit: 2)
        #expect(next.action == .wait(wake: true), "the waiting revoke is woken")
        check(m.revokeMayFinish)
        let finish = m.revokeFinishing([p1], cooperative: true, lost: false)
        #expect(finish.offsets == [p0: 1, p1: 1], "the batch's offsets are stored before the revoke commits")
        #expect(finish.commit)
    }

    @Test func aBatchOnOtherPartitionsDoesNotHoldARevoke() {
        var m = machine()
        check(m.runStarted() == nil)
        _ = m.polled([message(p0, 0), message(p0, 1)])
        #expect(m.batch(limit: 8).taken.count == 2)
        _ = m.revokeStarted([p1])
        check(m.revokeMayFinish)
    }

    @Test func aBatchBelowThePrefetchLowMarkWakesTheEventThreadOnce() {
        var m = machine(prefetchLow: 4)
        check(m.runStarted() == nil)
        _ = m.polled((0..<8).map { message(p0, $0) })
        let first = m.batch(limit: 3)          // 5 left
        #expect(first.action == .deliver(3, wake: false))
        let second = m.batch(completing: completed(first.taken), limit: 3)  // 2 left: below the mark
        #expect(second.action == .deliver(3, wake: true))
        check(m.eventThreadMayProceed)
        let third = m.batch(completing: completed(second.taken), limit: 3)
        #expect(third.action == .deliver(2, wake: false), "once per crossing")
        #expect(third.taken == [message(p0, 6), message(p0, 7)])
    }

    @Test func closeDuringABatchRecordsItsOffsetsThenEnds() {
        var m = machine()
        check(m.runStarted() == nil)
        _ = m.polled([message(p0, 0), message(p0, 1), message(p0, 2)])
        let batch = m.batch(limit: 2)
        guard case .stopRunLoop = m.closeRequested() else { Issue.record("expected the run loop to stop"); return }
        #expect(m.batch(completing: completed(batch.taken), limit: 2).action == .end(wake: false))
        guard case .startClose(let dropped) = m.runEnded() else { Issue.record("expected the close to start"); return }
        #expect(dropped == [message(p0, 2)])
        guard case .close(let offsets) = m.eventThreadProceeds() else { Issue.record("expected the close"); return }
        #expect(offsets == [p0: 2], "the whole batch is stored on close, and nothing after it")
    }

    @Test func aFatalErrorReachesTheBatchLoopOnceNothingIsQueued() {
        var m = machine()
        check(m.runStarted() == nil)
        _ = m.polled([message(p0, 0)])
        m.fatalErrorOccurred(KafkaError(code: .fatal, message: "boom", operation: "consume", isFatal: true))
        let batch = m.batch(limit: 4)
        #expect(batch.taken == [message(p0, 0)], "what was queued is handed out first")
        guard case .fail(let error, _) = m.batch(completing: completed(batch.taken), limit: 4).action else {
            Issue.record("expected the fatal error"); return
        }
        #expect(error.code == .fatal)
    }
}
