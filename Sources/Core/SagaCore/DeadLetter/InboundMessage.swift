import Foundation

/// A consumed record as the engine sees it, independent of the Kafka client's types.
public struct InboundMessage: Sendable, Hashable {
    /// The topic it was read from.
    public var topic: String
    /// Its partition.
    public var partition: Int32
    /// Its offset.
    public var offset: Int64
    /// Its timestamp in milliseconds since 1970, if the broker gave one.
    public var timestampMilliseconds: Int64?
    /// Its key (empty when the record had none).
    public var key: [UInt8]
    /// Its value.
    public var value: [UInt8]
    /// Its headers in order.
    public var headers: [SagaHeader]

    /// Creates a consumed message.
    public init(
        topic: String, partition: Int32, offset: Int64, timestampMilliseconds: Int64?, key: [UInt8], value: [UInt8],
        headers: [SagaHeader]
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// `topic/partition@offset`, for errors and logs.
    public var coordinates: String { "\(topic)/\(partition)@\(offset)" }

    /// The `message-id` header, or `nil`.
    public var messageID: String? { headers.string(SagaHeaders.messageID) }
}
