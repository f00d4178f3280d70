/// A message to produce.
public struct KafkaMessage: Sendable, Hashable {
    /// The topic to produce to.
    public var topic: String
    /// The partition, or `nil` to let the partitioner choose (by key hash, so equal keys
    /// land on one partition and keep their order).
    public var partition: Int32?
    /// The key (used for partitioning and compaction); `nil` for none.
    public var key: [UInt8]?
    /// The value; `nil` is a tombstone.
    public var value: [UInt8]?
    /// Record headers, in order.
    public var headers: [KafkaHeader]

    /// Creates a message from bytes.
    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Creates a message whose key and value are UTF-8 text.
    public init(
        topic: String, partition: Int32? = nil, key: String? = nil, value: String, headers: [KafkaHeader] = []
    ) {
        self.init(topic: topic, partition: partition, key: key.map { Array($0.utf8) },
                  value: Array(value.utf8), headers: headers)
    }
}

/// The broker's acknowledgement of one produced message.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// The topic the message was stored in.
    public var topic: String
    /// The partition the message was stored in.
    public var partition: Int32
    /// The message's offset in that partition.
    public var offset: Int64
    /// The message timestamp (milliseconds since the epoch), when the broker reported one.
    public var timestampMilliseconds: Int64?

    /// Creates a report.
    public init(topic: String, partition: Int32, offset: Int64, timestampMilliseconds: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// Identifies a message produced with ``KafkaProducer/enqueue(_:)`` in ``KafkaProducer/deliveries``.
public struct KafkaMessageID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A number unique within one producer, increasing in enqueue order.
    public var rawValue: UInt64
    /// Creates an ID.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "#\(rawValue)" }
}

/// The outcome of a message produced with ``KafkaProducer/enqueue(_:)``.
public struct KafkaDelivery: Sendable {
    /// The ID `enqueue` returned.
    public var id: KafkaMessageID
    /// The broker's acknowledgement, or why the message was not delivered.
    public var result: Result<KafkaDeliveryReport, KafkaError>
}
