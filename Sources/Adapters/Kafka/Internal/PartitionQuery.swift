import CRdKafka
import Foundation

/// Blocking metadata and watermark queries of one topic, retried while librdkafka reports a
/// retriable error (a leader being elected, a broker reconnecting) until the deadline.
enum PartitionQuery {
    /// How long one attempt may wait before a retriable failure is looked at again.
    static let attemptMilliseconds: Int64 = 2_000

    /// The partition numbers of `topic`, ascending.
    static func partitions(
        of topic: String, client: RdClient, deadline: Deadline, cancelled: () -> Bool
    ) throws(KafkaError) -> [Int32] {
        // A consumer's metadata request never creates the topic (allow.auto.create.topics is false).
        guard let rkt = rd_kafka_topic_new(client.handle, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), operation: "topic metadata", topic: topic)
        }
        defer { rd_kafka_topic_destroy(rkt) }
        return try retrying("topic metadata", topic: topic, partition: nil, deadline: deadline, cancelled: cancelled) {
            milliseconds throws(KafkaError) -> [Int32]? in
            var metadata: UnsafePointer<rd_kafka_metadata_t>? = nil
            let err = rd_kafka_metadata(client.handle, 0, rkt, &metadata, milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return try retriable(KafkaError(err, operation: "topic metadata", topic: topic))
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let entry = metadata.pointee.topics[index]
                guard String(cString: entry.topic) == topic else { continue }
                if entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART {
                    throw KafkaError(entry.err, operation: "topic metadata", message: "topic \(topic) does not exist", topic: topic)
                }
                if entry.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    return try retriable(KafkaError(entry.err, operation: "topic metadata", topic: topic))
                }
                if entry.partition_cnt == 0 { return nil }  // not yet known to the broker answering
                return (0..<Int(entry.partition_cnt)).map { entry.partitions[$0].id }.sorted()
            }
            return nil
        }
    }

    /// The watermarks of one partition, asked of its leader (not librdkafka's cache).
    static func watermarks(
        _ partition: TopicPartition, client: RdClient, deadline: Deadline, cancelled: () -> Bool
    ) throws(KafkaError) -> KafkaPartitionWatermarks {
        try retrying("query watermarks", topic: partition.topic, partition: partition.partition, deadline: deadline, cancelled: cancelled) {
            milliseconds throws(KafkaError) -> KafkaPartitionWatermarks? in
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high, milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return try retriable(KafkaError(err, operation: "query watermarks", topic: partition.topic, partition: partition.partition))
            }
            return KafkaPartitionWatermarks(partition: partition, low: low, high: high)
        }
    }

    /// nil (try again) for a retriable error, otherwise throws it.
    private static func retriable<T>(_ error: KafkaError) throws(KafkaError) -> T? {
        guard error.isRetriable else { throw error }
        return nil
    }

    /// Runs `attempt` (given its time limit) until it returns a value, throws, or the deadline passes.
    private static func retrying<T>(
        _ operation: String, topic: String, partition: Int32?, deadline: Deadline, cancelled: () -> Bool,
        _ attempt: (Int32) throws(KafkaError) -> T?
    ) throws(KafkaError) -> T {
        while true {
            if cancelled() { throw KafkaError.interrupted(operation, topic: topic) }
            let remaining = deadline.remainingMilliseconds
            guard remaining > 0 else {
                let what = partition.map { "partition \($0) of \(topic)" } ?? topic
                throw KafkaError(code: .timedOut, message: "no answer about \(what) within \(deadline.seconds) s",
                                 operation: operation, isRetriable: true, topic: topic, partition: partition)
            }
            if let value = try attempt(Int32(min(remaining, attemptMilliseconds))) { return value }
            // Some retriable answers come at once (no leader yet): wait a little before asking again.
            Thread.sleep(forTimeInterval: Double(min(deadline.remainingMilliseconds, 100)) / 1000)
        }
    }
}
