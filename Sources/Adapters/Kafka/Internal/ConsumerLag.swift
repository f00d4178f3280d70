import CRdKafka

extension ConsumerCore {
    /// The lag of every assigned partition, from librdkafka's cached high watermarks (updated
    /// by every fetch response; no broker round trip). The consumed position is the offset after
    /// the last processed message (stored or pending); for a partition with nothing processed
    /// since it was assigned, librdkafka's fetch position. Partitions without a known high
    /// watermark or position yet are left out. Empty once the consumer is closing.
    func lag() -> [KafkaPartitionLag] {
        // The snapshot is taken under the lock; librdkafka is asked after it, under a counted
        // use of the handle (the close waits for it before destroying the handle).
        guard let processed = machine.withLock({ $0.lagRequested() }) else { return [] }
        defer { endHandleUse() }
        let positions = fetchPositions(processed.filter { $0.value == nil }.map(\.key))
        var result: [KafkaPartitionLag] = []
        for (partition, done) in processed {
            let position = done ?? positions[partition] ?? -1
            guard position >= 0, let high = highWatermark(partition) else { continue }
            result.append(KafkaPartitionLag(partition: partition, position: position, highWatermark: high))
        }
        return result.sorted { ($0.partition.topic, $0.partition.partition) < ($1.partition.topic, $1.partition.partition) }
    }

    /// librdkafka's fetch positions; call during a counted use of the handle.
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

    /// The cached high watermark; call during a counted use of the handle.
    private func highWatermark(_ partition: TopicPartition) -> Int64? {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return high
    }
}
