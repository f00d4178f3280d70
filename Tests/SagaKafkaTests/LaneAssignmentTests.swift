import Kafka
@testable import SagaKafka
import Testing

/// Partitions spread over a consumer's lanes evenly, each keeping its lane.
@Suite struct LaneAssignmentTests {
    private func partition(_ topic: String, _ number: Int32) -> TopicPartition {
        TopicPartition(topic: topic, partition: number)
    }

    /// Three partitions of a reply topic get three lanes of four, whatever their names hash to,
    /// and the next partitions fill the lanes with the fewest.
    @Test func partitionsGoToTheLeastLoadedLaneInArrivalOrder() {
        var assignment = LaneAssignment(lanes: 4)
        let replies = (0..<3).map { assignment.lane(of: partition("saga.order.replies", $0)) }
        #expect(Set(replies).count == 3)
        let starts = (0..<5).map { assignment.lane(of: partition("order.placed", $0)) }
        var load = [Int](repeating: 0, count: 4)
        for lane in replies + starts { load[lane] += 1 }
        #expect(load.sorted() == [2, 2, 2, 2])
    }

    /// A partition keeps its lane, so its messages stay in order.
    @Test func aPartitionKeepsItsLane() {
        var assignment = LaneAssignment(lanes: 3)
        let first = (0..<6).map { assignment.lane(of: partition("t", $0)) }
        let again = (0..<6).reversed().map { assignment.lane(of: partition("t", $0)) }
        #expect(first == Array(again.reversed()))
        var single = LaneAssignment(lanes: 0)
        #expect(single.lane(of: partition("t", 0)) == 0)
    }
}
