import Logging

/// A partition's watermarks: the oldest retained offset and the offset the next record will get.
public struct KafkaPartitionWatermarks: Sendable, Hashable {
    /// The partition.
    public var partition: TopicPartition
    /// The low watermark: the offset of the oldest retained record.
    public var low: Int64
    /// The high watermark: the offset the next produced record will get (for a consumer
    /// reading committed records only, the last stable offset).
    public var high: Int64
    /// Whether the partition holds no record (`low == high`).
    public var isEmpty: Bool { low >= high }

    /// Creates watermarks.
    public init(partition: TopicPartition, low: Int64, high: Int64) {
        self.partition = partition
        self.low = low
        self.high = high
    }
}

/// How far a read of a partition got towards the end it had to reach.
public struct KafkaPartitionProgress: Sendable, Hashable, CustomStringConvertible {
    /// The partition.
    public var partition: TopicPartition
    /// The next offset the read would have delivered (the offset after the last record or
    /// transaction marker read; the low watermark if nothing was read).
    public var position: Int64
    /// The end the read had to reach: the high watermark when the read started.
    public var highWatermark: Int64

    /// Creates a progress figure.
    public init(partition: TopicPartition, position: Int64, highWatermark: Int64) {
        self.partition = partition
        self.position = position
        self.highWatermark = highWatermark
    }

    public var description: String { "partition \(partition.partition) at offset \(position) of high watermark \(highWatermark)" }
}

/// Reads what a topic holds: its watermarks, or every record up to the end it had when the
/// read started. Nothing is committed and no consumer group is joined (partitions are
/// assigned by hand, from their low watermarks), so no one's offsets move.
///
/// ```swift
/// let reader = KafkaTopicReader(configuration: .init(bootstrapServers: ["localhost:9092"]))
/// let letters = try await reader.readToEnd("orders.dlq", timeout: .seconds(30))
/// ```
public struct KafkaTopicReader: Sendable {
    /// The connection settings; `groupID`, `autoOffsetReset` and offset commits are set by the reader.
    public var configuration: KafkaConfiguration
    /// Where the reader's client logs.
    public var logger: Logger

    /// Creates a reader; each call makes (and closes) its own client.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.reader")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The watermarks of every partition of `topic`, by partition number.
    ///
    /// - Throws: ``KafkaError`` with code `UNKNOWN_TOPIC_OR_PART` (and the topic) if the topic
    ///   does not exist, `_TIMED_OUT` (with the topic and, once known, the partition) if the
    ///   broker did not answer within `timeout`, `_INTR` if the task was cancelled.
    public func watermarks(of topic: String, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [KafkaPartitionWatermarks] {
        let result = try await run(topic, timeout: timeout, readRecords: false)
        return result.watermarks
    }

    /// Every record of `topic` from each partition's low watermark up to the high watermark
    /// it had when the read started, ordered by partition then offset. Records produced
    /// after the start are not included. An empty topic returns at once.
    ///
    /// The end counts as reached when the read's position passes the high watermark, so
    /// transaction markers (never delivered as records) and aborted records do not keep it waiting.
    ///
    /// - Parameter timeout: the deadline for the whole read, the watermark query included.
    /// - Throws: ``KafkaError`` with code `_TIMED_OUT` if the end was not reached in time, its
    ///   ``KafkaError/unfinishedPartitions`` naming each partition not read to its end (how far
    ///   it got and its high watermark) — never a partial result; `UNKNOWN_TOPIC_OR_PART` if the
    ///   topic does not exist; a fatal consumer error as it came; `_INTR` if the task was cancelled.
    public func readToEnd(_ topic: String, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [KafkaConsumerMessage] {
        let result = try await run(topic, timeout: timeout, readRecords: true)
        return result.messages
    }

    /// The records of `topic` from `starts[partition]` up to the high watermark each partition
    /// had when the read started, ordered by partition then offset; partitions absent from
    /// `starts` are not read. A start below a partition's low watermark reads from the low
    /// watermark (the older records are gone); one at or past the high watermark reads nothing.
    /// For a reader that knows where what it looks for can begin, so that the length of the
    /// read is bounded by that rather than by the topic's retention.
    ///
    /// - Throws: as ``readToEnd(_:timeout:)``.
    public func readToEnd(_ topic: String, from starts: [Int32: Int64], timeout: Duration = .seconds(30)) async throws(KafkaError)
        -> [KafkaConsumerMessage]
    {
        try await run(topic, timeout: timeout, readRecords: true) { watermarks in
            watermarks.compactMap { mark in
                guard let start = starts[mark.partition.partition] else { return nil }
                var from = mark
                from.low = min(max(mark.low, start), mark.high)
                return from
            }
        }.messages
    }

    /// The offsets consumer group `group` has committed on the partitions of `topic` (the next
    /// offset it will consume), by partition; a partition without a committed offset is absent.
    /// The group is asked, never joined: no member is added and nothing is committed.
    ///
    /// - Throws: ``KafkaError`` with code `UNKNOWN_TOPIC_OR_PART` if the topic does not exist,
    ///   `_TIMED_OUT` if the broker did not answer within `timeout`.
    public func committedOffsets(group: String, topic: String, timeout: Duration = .seconds(30)) async throws(KafkaError) -> [Int32: Int64] {
        let configuration = self.configuration, logger = self.logger
        let milliseconds = max(Int64(KafkaConfiguration.milliseconds(timeout)) ?? Int64(Int32.max), 1)
        return try await DedicatedThread.run(name: "kafka-committed") {
            CommittedOffsetQuery.run(group: group, topic: topic, configuration: configuration, logger: logger, timeoutMilliseconds: milliseconds)
        }.get()
    }

    /// ``readToEnd(_:timeout:)`` over what `ranges` makes of the captured watermarks
    /// (each partition read from its `low` to its `high`; tests aim past the real end to see a
    /// read that cannot finish).
    func readToEnd(
        _ topic: String, timeout: Duration, ranges: @escaping @Sendable ([KafkaPartitionWatermarks]) -> [KafkaPartitionWatermarks]
    ) async throws(KafkaError) -> [KafkaConsumerMessage] {
        try await run(topic, timeout: timeout, readRecords: true, ranges: ranges).messages
    }

    private func run(
        _ topic: String, timeout: Duration, readRecords: Bool,
        ranges: @escaping @Sendable ([KafkaPartitionWatermarks]) -> [KafkaPartitionWatermarks] = { $0 }
    ) async throws(KafkaError) -> EndReader.Outcome {
        let reader = EndReader(configuration: configuration, logger: logger)
        let milliseconds = max(Int64(KafkaConfiguration.milliseconds(timeout)) ?? Int64(Int32.max), 1)
        let result = await withTaskCancellationHandler {
            await DedicatedThread.run(name: "kafka-reader") {
                reader.run(topic, timeoutMilliseconds: milliseconds, readRecords: readRecords, ranges: ranges)
            }
        } onCancel: {
            reader.cancel()
        }
        return try result.get()
    }
}
