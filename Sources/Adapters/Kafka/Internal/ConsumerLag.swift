import CRdKafka

extension ConsumerCore {
    /// The lag of every assigned partition, from librdkafka's cached high watermarks (updated
    /// by every fetch response; no broker round trip). The consumed position is the offset after
    /// the last processed message (stored or pending); for a partition with nothing processed
    /// since it was assigned, librdkafka's fetch position. Partitions without a known high
    /// watermark or position yet are left out. Empty once the consumer is closing.
    func lag() -> [KafkaPartitionLag] {
        state.withLock { state -> [KafkaPartitionLag] in
            guard state.phase == .running, !state.handleReleased else { return [] }
            state.mergePendingLast()
            state.storedOffsets = state.storedOffsets.filter { state.assignment.contains($0.key) }
            let unprocessed = state.assignment.filter { state.pendingOffsets[$0] == nil && state.storedOffsets[$0] == nil }
            let positions = fetchPositions(Array(unprocessed))
            var result: [KafkaPartitionLag] = []
            for partition in state.assignment {
                let processed = max(state.pendingOffsets[partition] ?? -1, state.storedOffsets[partition] ?? -1)
                let position = processed >= 0 ? processed : positions[partition] ?? -1
                guard position >= 0, let high = highWatermark(partition) else { continue }
                result.append(KafkaPartitionLag(partition: partition, position: position, highWatermark: high))
            }
            return result.sorted { ($0.partition.topic, $0.partition.partition) < ($1.partition.topic, $1.partition.partition) }
        }
    }

    /// librdkafka's fetch positions; call with the lock held (the handle is alive).
    private func fetchPositions(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let list = TopicPartitionList.make(partitions.map { ($0.topic, $0.partition, Int64(RD_KAFKA_OFFSET_INVALID)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard rd_kafka_position(client.handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else { return [:] }
        var positions: [TopicPartition: Int64] = [:]
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            if element.err == RD_KAFKA_RESP_ERR_NO_ERROR, element.offset >= 0 {
                positions[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
            }
        }
        return positions
    }

    /// The cached high watermark; call with the lock held.
    private func highWatermark(_ partition: TopicPartition) -> Int64? {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return high
    }
}
