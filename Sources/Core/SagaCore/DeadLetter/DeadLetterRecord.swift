import Foundation

/// Builds dead-letter records and replays of them. Pure: the Kafka side publishes what this returns.
public enum DeadLetterRecord {
    /// The DLQ topic of `topic`: `<topic>.dlq`.
    public static func topic(for topic: String) -> String { topic + ".dlq" }

    /// The record to publish to `<topic>.dlq` (on the original partition) for `message`, which
    /// `service` in consumer `group` failed to process.
    ///
    /// The record keeps the original key, value and headers, minus any error headers from an
    /// earlier dead-lettering (so headers do not grow with every replay round), plus fresh ones.
    public static func make(
        for message: InboundMessage, failure: DeadLetterFailure, group: String, service: String, at date: Date,
        limits: DeadLetterLimits = DeadLetterLimits()
    ) -> (message: OutgoingMessage, partition: Int32) {
        var headers = message.headers.removing(where: DeadLetterHeaders.isDeadLetterHeader)
        var trace = "\(failure.errorType): \(failure.message)"
        if let causeType = failure.causeType {
            trace += "\nCaused by: \(causeType): \(failure.causeDescription ?? "")"
        }
        headers += [
            SagaHeader(DeadLetterHeaders.originalTopic, message.topic),
            SagaHeader(key: DeadLetterHeaders.originalPartition, value: bigEndian(UInt32(bitPattern: message.partition))),
            SagaHeader(key: DeadLetterHeaders.originalOffset, value: bigEndian(UInt64(bitPattern: message.offset))),
        ]
        if let timestamp = message.timestampMilliseconds {
            headers.append(SagaHeader(key: DeadLetterHeaders.originalTimestamp, value: bigEndian(UInt64(bitPattern: timestamp))))
            headers.append(SagaHeader(DeadLetterHeaders.originalTimestampType, "CreateTime"))
        }
        headers += [
            SagaHeader(DeadLetterHeaders.originalConsumerGroup, group),
            SagaHeader(DeadLetterHeaders.exceptionFQCN, truncate(failure.errorType, to: limits.message)),
            SagaHeader(DeadLetterHeaders.exceptionMessage, truncate(failure.message, to: limits.message)),
            SagaHeader(DeadLetterHeaders.exceptionStacktrace, truncate(trace, to: limits.stacktrace)),
        ]
        if let causeType = failure.causeType {
            headers.append(SagaHeader(DeadLetterHeaders.exceptionCauseFQCN, truncate(causeType, to: limits.message)))
        }
        headers += [
            SagaHeader(DeadLetterHeaders.service, service),
            SagaHeader(DeadLetterHeaders.errorKind, failure.kind.rawValue),
            SagaHeader(DeadLetterHeaders.attempts, String(failure.attempts)),
            SagaHeader(DeadLetterHeaders.failedAt, iso8601(date)),
        ]
        let record = OutgoingMessage(topic: topic(for: message.topic), key: message.key, value: message.value, headers: headers)
        return (record, message.partition)
    }

    /// What a DLQ record says about where it came from.
    public struct Origin: Sendable, Hashable {
        /// The original topic.
        public var topic: String
        /// The original partition.
        public var partition: Int32
        /// The original offset.
        public var offset: Int64

        /// Creates an origin.
        public init(topic: String, partition: Int32, offset: Int64) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
        }
    }

    /// Reads the origin headers of a DLQ record; `nil` when they are missing or malformed.
    public static func origin(of dlqRecord: InboundMessage) -> Origin? {
        let headers = dlqRecord.headers
        guard let topic = headers.string(DeadLetterHeaders.originalTopic),
            let partitionBytes = headers.last(where: { $0.key == DeadLetterHeaders.originalPartition })?.value,
            let offsetBytes = headers.last(where: { $0.key == DeadLetterHeaders.originalOffset })?.value,
            partitionBytes.count == 4, offsetBytes.count == 8
        else { return nil }
        return Origin(
            topic: topic, partition: Int32(bitPattern: UInt32(fromBigEndian: partitionBytes)),
            offset: Int64(bitPattern: UInt64(fromBigEndian: offsetBytes))
        )
    }

    /// The record that re-publishes `dlqRecord` to its original topic, tagged with `replayID`
    /// and `annotations` (``DeadLetterHeaders/replayOf``, ``DeadLetterHeaders/replayBy``), with
    /// `value` instead of the letter's when given (an edited value).
    /// The error headers and an earlier replay's headers stay off: if it fails again it gets fresh ones only.
    public static func replay(
        of dlqRecord: InboundMessage, replayID: String, value: [UInt8]? = nil, annotations: [SagaHeader] = []
    ) -> OutgoingMessage? {
        guard let origin = origin(of: dlqRecord) else { return nil }
        var headers = dlqRecord.headers.removing { DeadLetterHeaders.isDeadLetterHeader($0) || DeadLetterHeaders.isReplayHeader($0) }
        headers.append(SagaHeader(DeadLetterHeaders.replayID, replayID))
        headers += annotations
        return OutgoingMessage(topic: origin.topic, key: dlqRecord.key, value: value ?? dlqRecord.value, headers: headers)
    }

    /// Cuts `text` to at most `limit` UTF-8 bytes on a character boundary, marking the cut with `…`.
    public static func truncate(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let marker = "…"
        let budget = max(0, limit - marker.utf8.count)
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > budget { break }
            result.append(character)
            used += size
        }
        return result + marker
    }

    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

private func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (T.bitWidth - 8 * ($0 + 1))) }
}

extension FixedWidthInteger {
    init(fromBigEndian bytes: [UInt8]) {
        self = bytes.reduce(0) { ($0 << 8) | Self(truncatingIfNeeded: $1) }
    }
}
