@testable import Kafka
import Testing

@Suite("MessageQueue (the consumer's handoff buffer)")
struct MessageQueueTests {
    @Test func removingRevokedElementsKeepsTheUntakenOnesInOrder() {
        var queue = MessageQueue<Int>()
        queue.append(contentsOf: Array(0..<10))
        for expected in 0..<4 { #expect(queue.take() == expected) }
        // Drop the odd ones still queued (as a revoke drops a partition's messages).
        queue.removeAll { $0 % 2 == 1 }
        var rest: [Int] = []
        while let next = queue.take() { rest.append(next) }
        #expect(rest == [4, 6, 8])
        #expect(queue.isEmpty)
    }

    @Test func appendTakingStorageWhenEmptyAndWhenNot() {
        var queue = MessageQueue<Int>()
        var batch: [Int?] = [1, 2, 3]
        queue.append(takingStorageOf: &batch)
        #expect(batch.isEmpty)
        #expect(queue.take() == 1)
        batch = [4]
        queue.append(takingStorageOf: &batch)
        #expect(batch.isEmpty)
        #expect(queue.count == 3)
        var all: [Int] = []
        while let next = queue.take() { all.append(next) }
        #expect(all == [2, 3, 4])
    }

    @Test func takeMovesTheElementOutWithoutKeepingACopy() {
        // The consumer relies on this: a handed-out message is referenced by its taker only.
        final class Box {}
        var queue = MessageQueue<Box>()
        queue.append(contentsOf: [Box(), Box(), Box()])
        var first = queue.take()
        #expect(first != nil)
        #expect(isKnownUniquelyReferenced(&first!))
        #expect(queue.count == 2)
    }
}
