import CRdKafka

/// Helpers for `rd_kafka_topic_partition_list_t`, which every caller destroys itself.
enum TopicPartitionList {
    /// A new list; the caller destroys it with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ entries: [(topic: String, partition: Int32, offset: Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(entries.count))!
        for entry in entries {
            let element = rd_kafka_topic_partition_list_add(list, entry.topic, entry.partition)!
            element.pointee.offset = entry.offset
        }
        return list
    }

    /// The topic-partitions of a list.
    static func read(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return TopicPartition(topic: String(cString: element.topic), partition: element.partition)
        }
    }

    /// The first per-partition error of a list, if any.
    static func firstError(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>, operation: String) -> KafkaError? {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return KafkaError(element.err, operation: operation, topic: String(cString: element.topic),
                                  partition: element.partition, offset: element.offset)
            }
        }
        return nil
    }
}
