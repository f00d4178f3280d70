/// The partitions of the messages a `run` handler works on: one for ``KafkaConsumer/run(_:)``,
/// as many as its batch spans for ``KafkaConsumer/run(batchesOf:_:)``. A revoke of any of them
/// waits until that handler returned. The common case (one partition) needs no allocation.
struct InFlightPartitions {
    private var first: TopicPartition?
    /// Further partitions of a batch, each once (a batch spans few partitions).
    private var others: [TopicPartition] = []

    /// Only `partition` is in flight (the single-message `run` loop).
    mutating func replace(with partition: TopicPartition) {
        first = partition
        if !others.isEmpty { others.removeAll(keepingCapacity: true) }
    }

    /// Adds `partition` (a batch's next message).
    mutating func insert(_ partition: TopicPartition) {
        guard let first else {
            self.first = partition
            return
        }
        if first != partition && !others.contains(partition) { others.append(partition) }
    }

    /// The handler returned: nothing is in flight.
    mutating func removeAll() {
        first = nil
        if !others.isEmpty { others.removeAll(keepingCapacity: true) }
    }

    /// Whether any partition in flight is in `partitions`.
    func overlaps(_ partitions: Set<TopicPartition>) -> Bool {
        guard let first else { return false }
        return partitions.contains(first) || others.contains(where: partitions.contains)
    }
}
