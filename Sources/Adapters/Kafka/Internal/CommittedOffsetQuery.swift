import CRdKafka
import Foundation
import Logging

/// The blocking work behind ``KafkaTopicReader/committedOffsets(group:topic:timeout:)``: a consumer
/// client carrying the group's id that never joins it (no subscribe, no assignment, nothing
/// committed) asks the group's coordinator for the committed offset of each partition of a topic.
enum CommittedOffsetQuery {
    static func run(
        group: String, topic: String, configuration: KafkaConfiguration, logger: Logger, timeoutMilliseconds: Int64
    ) -> Result<[Int32: Int64], KafkaError> {
        var configuration = configuration
        configuration.groupID = group
        configuration.properties["enable.auto.commit"] = "false"
        configuration.properties["enable.auto.offset.store"] = "false"
        let deadline = Deadline(milliseconds: timeoutMilliseconds)
        let client: RdClient
        do {
            client = try RdClient(role: .consumer, properties: configuration.librdkafkaProperties(for: .consumer), logger: logger)
        } catch {
            return .failure(error)
        }
        defer { client.destroy() }
        return Result { () throws(KafkaError) -> [Int32: Int64] in
            let partitions = try PartitionQuery.partitions(of: topic, client: client, deadline: deadline, cancelled: { false })
            let list = TopicPartitionList.make(partitions.map { (topic, $0, Int64(RD_KAFKA_OFFSET_INVALID)) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_committed(client.handle, list, Int32(clamping: max(deadline.remainingMilliseconds, 1)))
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(err, operation: "committed offsets of group \(group)", topic: topic)
            }
            if let error = TopicPartitionList.firstError(list, operation: "committed offsets of group \(group)") { throw error }
            var offsets: [Int32: Int64] = [:]
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                if element.offset >= 0 { offsets[element.partition] = element.offset }
            }
            return offsets
        }
    }
}
