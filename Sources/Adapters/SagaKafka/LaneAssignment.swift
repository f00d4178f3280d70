import Kafka

/// Which lane of a ``PartitionedConsumption`` handles each partition: a partition gets a lane the
/// first time one of its messages arrives, the lane with the fewest partitions so far (the lowest
/// such index on a tie), and keeps it, so its messages stay in offset order.
///
/// A hash of the partition spread them at random: three partitions carrying most of the traffic
/// (one reply topic) shared a lane among four more often than not (five times in eight), and that
/// lane's one transaction at a time then bounded the whole consumer. Assigned in arrival order, the
/// partitions that carry messages are spread over the lanes evenly.
struct LaneAssignment {
    private var lanes: [TopicPartition: Int] = [:]
    private var partitionsPerLane: [Int]

    /// An assignment over `count` lanes (at least one).
    init(lanes count: Int) {
        partitionsPerLane = Array(repeating: 0, count: max(1, count))
    }

    /// The lane of `partition`, assigned now if it has none.
    mutating func lane(of partition: TopicPartition) -> Int {
        if let lane = lanes[partition] { return lane }
        let lane = partitionsPerLane.indices.min { partitionsPerLane[$0] < partitionsPerLane[$1] } ?? 0
        partitionsPerLane[lane] += 1
        lanes[partition] = lane
        return lane
    }
}
