extension KafkaAdmin {
    /// The watermarks of every partition of `topic`, by partition number, asked of each
    /// partition's leader with the admin's own connection (no consumer is made, no group joined).
    /// `high − low` of a partition is the number of records it retains.
    ///
    /// - Throws: ``KafkaError`` with code `UNKNOWN_TOPIC_OR_PART` (and the topic) if the topic
    ///   does not exist, `_TIMED_OUT` (with the topic and, once known, the partition) if the
    ///   broker did not answer within `timeout`, `_INTR` if the task was cancelled.
    public func watermarks(of topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaPartitionWatermarks] {
        let milliseconds = max(Int64(KafkaConfiguration.milliseconds(timeout)) ?? Int64(Int32.max), 1)
        let cancelled = ConditionLock(false)
        let isCancelled = { @Sendable in cancelled.withLock { $0 } }
        return try await withClient("query watermarks") { client in await withTaskCancellationHandler {
            await DedicatedThread.run(name: "kafka-admin") { () -> Result<[KafkaPartitionWatermarks], KafkaError> in
                let deadline = Deadline(milliseconds: milliseconds)
                return Result { () throws(KafkaError) -> [KafkaPartitionWatermarks] in
                    let partitions = try PartitionQuery.partitions(of: topic, client: client, deadline: deadline, cancelled: isCancelled)
                    var watermarks: [KafkaPartitionWatermarks] = []
                    for partition in partitions {
                        watermarks.append(try PartitionQuery.watermarks(
                            TopicPartition(topic: topic, partition: partition), client: client, deadline: deadline,
                            cancelled: isCancelled))
                    }
                    return watermarks
                }
            }
        } onCancel: {
            cancelled.withLock { $0 = true }
        } }
    }
}
