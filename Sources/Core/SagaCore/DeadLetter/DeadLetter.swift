import Foundation

/// A record of a `.dlq` topic as operators see it: where it is, where it came from and why it
/// failed. Read by `sagactl dlq` and the API's dead-letter routes alike.
public struct DeadLetter: Sendable {
    /// The DLQ record itself.
    public let record: InboundMessage
    /// Where it was consumed from (nil when the `kafka_dlt-original-*` headers are missing).
    public let origin: DeadLetterRecord.Origin?

    /// Reads the letter's headers.
    public init(_ record: InboundMessage) {
        self.record = record
        self.origin = DeadLetterRecord.origin(of: record)
    }

    /// The error kind header (``DeadLetterErrorKind``), `unknown` when missing.
    public var errorKind: String { record.headers.string(DeadLetterHeaders.errorKind) ?? "unknown" }
    /// The error's type name, "" when missing.
    public var errorType: String { record.headers.string(DeadLetterHeaders.exceptionFQCN) ?? "" }
    /// The error message, "" when missing.
    public var errorMessage: String { record.headers.string(DeadLetterHeaders.exceptionMessage) ?? "" }
    /// The service that dead-lettered it.
    public var service: String? { record.headers.string(DeadLetterHeaders.service) }
    /// How many attempts were made (decimal text).
    public var attempts: String? { record.headers.string(DeadLetterHeaders.attempts) }
    /// When it was dead-lettered (ISO 8601).
    public var failedAt: String? { record.headers.string(DeadLetterHeaders.failedAt) }
    /// The consumer group that failed to process it.
    public var consumerGroup: String? { record.headers.string(DeadLetterHeaders.originalConsumerGroup) }
    /// The `message-type` header: the full name of the value's schema.
    public var messageType: String? { record.headers.string(SagaHeaders.messageType) }
    /// The `message-id` header.
    public var messageID: String? { record.messageID }
    /// The id of the replay that produced the original record, if it was itself a replay.
    public var replayOf: String? { record.headers.string(DeadLetterHeaders.replayID) }

    /// `partition:offset` within the DLQ topic.
    public var position: String { "\(record.partition):\(record.offset)" }
    /// `<dlq topic>:<partition>:<offset>`: the letter's id in the API.
    public var id: String { DeadLetterID(topic: record.topic, partition: record.partition, offset: record.offset).description }
    /// `topic/partition@offset` of the original record, or "?".
    public var originText: String { origin.map { "\($0.topic)/\($0.partition)@\($0.offset)" } ?? "?" }

    /// The group the letter belongs to: original topic, error kind and the message's pattern
    /// (``DeadLetterGroup/Key/pattern(of:)``).
    public var groupKey: DeadLetterGroup.Key {
        DeadLetterGroup.Key(originalTopic: origin?.topic ?? "?", errorKind: errorKind,
            errorMessage: DeadLetterGroup.Key.pattern(of: errorMessage))
    }
}

/// A dead letter's id, `<dlq topic>:<partition>:<offset>` (topic names have no `:`).
public struct DeadLetterID: Sendable, Hashable, CustomStringConvertible {
    /// The DLQ topic.
    public var topic: String
    /// The partition within it.
    public var partition: Int32
    /// The offset within the partition.
    public var offset: Int64

    /// Creates an id.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// Parses `<topic>:<partition>:<offset>`; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let partition = Int32(parts[1]), let offset = Int64(parts[2]),
            partition >= 0, offset >= 0
        else { return nil }
        self.init(topic: String(parts[0]), partition: partition, offset: offset)
    }

    /// `<topic>:<partition>:<offset>`.
    public var description: String { "\(topic):\(partition):\(offset)" }
}
