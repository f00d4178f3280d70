/// A message received by a ``KafkaConsumer``.
public struct KafkaConsumerMessage: Sendable, Hashable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset in the partition.
    public var offset: Int64
    /// The key, if any.
    public var key: [UInt8]?
    /// The value; `nil` for a tombstone.
    public var value: [UInt8]?
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// The record timestamp (milliseconds since the epoch), if any.
    public var timestampMilliseconds: Int64?

    /// Creates a message (the consumer makes these; tests may too).
    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The topic-partition it came from.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
    /// The key as UTF-8 text, if present and valid.
    public var keyString: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }
    /// The value as UTF-8 text, if present and valid.
    public var valueString: String? { value.flatMap { String(validating: $0, as: UTF8.self) } }
    /// The first header named `name`.
    public func header(_ name: String) -> KafkaHeader? { headers.first { $0.name == name } }
}
