import CRdKafka
import Foundation
import Logging

/// The blocking work behind ``KafkaTopicReader``, run on a dedicated thread: a consumer
/// client that never joins its (throwaway) group, the topic's partitions from its metadata,
/// their watermarks, then a manual assignment from each low watermark and polls until every
/// partition's position reached the high watermark captured first, or the deadline passed.
final class EndReader: Sendable {
    struct Outcome: Sendable {
        var watermarks: [KafkaPartitionWatermarks] = []
        var messages: [KafkaConsumerMessage] = []
    }

    private struct Control {
        /// The consumer queue while the worker polls it (a cancel yields it to wake the poll).
        var queue: RdQueue?
        var cancelled = false
    }

    private let properties: [(name: String, value: String)]
    private let logger: Logger
    private let control = ConditionLock(Control())

    init(configuration: KafkaConfiguration, logger: Logger) {
        var configuration = configuration
        // librdkafka's consumer API needs a group; it is never joined (no subscribe) and
        // nothing is committed, so it leaves no trace on the broker.
        configuration.groupID = "kafka-reader-" + UUID().uuidString.lowercased()
        configuration.autoOffsetReset = .earliest
        configuration.properties["enable.auto.commit"] = "false"
        configuration.properties["enable.auto.offset.store"] = "false"
        // The end of a partition whose last records are transaction markers is seen only
        // through the end-of-partition event (the position passes the markers silently).
        configuration.properties["enable.partition.eof"] = "true"
        self.properties = configuration.librdkafkaProperties(for: .consumer)
        self.logger = logger
    }

    /// Wakes the worker, which ends with `_INTR`.
    func cancel() {
        control.withLock { control in
            control.cancelled = true
            // Under the lock: the worker clears `queue` under it before destroying the queue.
            if let queue = control.queue { rd_kafka_queue_yield(queue.handle) }
        }
    }

    private var cancelled: Bool { control.withLock { $0.cancelled } }

    /// Runs the read on the calling thread, which may block.
    /// `ranges` may change the captured watermarks before the read: each partition it returns
    /// is read from its `low` to its `high` (a later start; tests aim past the real end).
    func run(
        _ topic: String, timeoutMilliseconds: Int64, readRecords: Bool,
        ranges: ([KafkaPartitionWatermarks]) -> [KafkaPartitionWatermarks] = { $0 }
    ) -> Result<Outcome, KafkaError> {
        let deadline = Deadline(milliseconds: timeoutMilliseconds)
        let client: RdClient
        do {
            client = try RdClient(role: .consumer, properties: properties, logger: logger)
        } catch {
            return .failure(error)
        }
        rd_kafka_poll_set_consumer(client.handle)
        let queue = RdQueue(rd_kafka_queue_get_consumer(client.handle))
        control.withLock { $0.queue = queue }
        defer {
            control.withLock { $0.queue = nil }
            queue.destroy()
            _ = rd_kafka_consumer_close(client.handle)
            client.destroy()
        }
        return Result { () throws(KafkaError) -> Outcome in
            let partitions = try PartitionQuery.partitions(of: topic, client: client, deadline: deadline, cancelled: { cancelled })
            var outcome = Outcome()
            for partition in partitions {
                outcome.watermarks.append(try PartitionQuery.watermarks(
                    TopicPartition(topic: topic, partition: partition), client: client, deadline: deadline, cancelled: { cancelled }))
            }
            if readRecords {
                outcome.watermarks = ranges(outcome.watermarks)
                outcome.messages = try read(topic, outcome.watermarks.filter { !$0.isEmpty }, client: client, queue: queue, deadline: deadline)
            }
            return outcome
        }
    }

    /// Polls the assigned partitions until each one's position reached its high watermark.
    private func read(
        _ topic: String, _ watermarks: [KafkaPartitionWatermarks], client: RdClient, queue: RdQueue, deadline: Deadline
    ) throws(KafkaError) -> [KafkaConsumerMessage] {
        guard !watermarks.isEmpty else { return [] }
        var ends: [Int32: Int64] = [:]
        var positions: [Int32: Int64] = [:]
        for mark in watermarks {
            ends[mark.partition.partition] = mark.high
            positions[mark.partition.partition] = mark.low
        }
        let list = TopicPartitionList.make(watermarks.map { ($0.partition.topic, $0.partition.partition, $0.low) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(client.handle, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, operation: "assign", topic: topic) }

        var unfinished = Set(ends.keys)
        var messages: [KafkaConsumerMessage] = []
        var lastProblem: KafkaError?
        while !unfinished.isEmpty {
            if cancelled { throw KafkaError.interrupted("read to end", topic: topic) }
            let remaining = deadline.remainingMilliseconds
            if remaining <= 0 {
                let progress = unfinished.sorted().map { partition in
                    KafkaPartitionProgress(partition: TopicPartition(topic: topic, partition: partition),
                                           position: positions[partition] ?? 0, highWatermark: ends[partition] ?? 0)
                }
                throw KafkaError.endNotReached(topic, progress, seconds: deadline.seconds, lastProblem: lastProblem)
            }
            // Returns at once with a message or event, or when a cancel yields the queue.
            guard let pointer = rd_kafka_consumer_poll(client.handle, Int32(clamping: remaining)) else { continue }
            let message = PolledMessage(pointer: pointer)
            defer { message.destroy() }
            let partition = pointer.pointee.partition
            let offset = pointer.pointee.offset
            switch pointer.pointee.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                guard let end = ends[partition], unfinished.contains(partition), offset < end else { continue }
                messages.append(message.convert(topic: topic))
                positions[partition] = offset + 1
                if offset + 1 >= end { unfinished.remove(partition) }
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                // `offset` is the position at the end of the partition, past any transaction markers.
                guard let end = ends[partition], unfinished.contains(partition) else { continue }
                positions[partition] = max(positions[partition] ?? 0, offset)
                if offset >= end { unfinished.remove(partition) }
            case let code:
                var error = KafkaError(code, operation: "read to end", message: String(cString: rd_kafka_message_errstr(pointer)),
                                       topic: topic, partition: pointer.pointee.rkt == nil ? nil : partition)
                if code == RD_KAFKA_RESP_ERR__FATAL, let fatal = client.fatalError(operation: "read to end") { error = fatal }
                if error.isFatal { throw error }
                // librdkafka retries by itself (a broker restarting, a leader moving); if the
                // end is not reached in time the error names this problem.
                logger.warning("Kafka reader: \(error)")
                lastProblem = error
            }
        }
        return messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }
}

/// A point in monotonic time that the reader's steps must finish by.
struct Deadline: Sendable {
    let end: ContinuousClock.Instant
    let seconds: Double

    init(milliseconds: Int64) {
        end = .now + .milliseconds(milliseconds)
        seconds = Double(milliseconds) / 1000
    }

    /// Milliseconds left, 0 once passed.
    var remainingMilliseconds: Int64 {
        let left = ContinuousClock.now.duration(to: end)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        return max(seconds * 1000 + attoseconds / 1_000_000_000_000_000, 1)
    }
}

extension KafkaError {
    /// A blocking read was cancelled.
    static func interrupted(_ operation: String, topic: String?) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__INTR, operation: operation, message: "cancelled", topic: topic)
    }

    /// The end of `topic` was not reached by the deadline.
    static func endNotReached(_ topic: String, _ progress: [KafkaPartitionProgress], seconds: Double, lastProblem: KafkaError?) -> KafkaError {
        var message = "the end of \(topic) was not reached within \(seconds) s: "
            + progress.map(\.description).joined(separator: ", ")
        if let lastProblem { message += "; last problem: \(lastProblem.code.name): \(lastProblem.message)" }
        var error = KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, operation: "read to end", message: message, topic: topic,
                               partition: progress.count == 1 ? progress[0].partition.partition : nil,
                               offset: progress.count == 1 ? progress[0].position : nil)
        error.unfinishedPartitions = progress
        return error
    }
}
