/// A Kafka record header: a name and an optional byte value. Names may repeat.
public struct KafkaHeader: Sendable, Hashable {
    /// The header name.
    public var name: String
    /// The header value; `nil` is a null value (distinct from an empty one).
    public var value: [UInt8]?

    /// Creates a header with a byte value.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 bytes of `value`.
    public init(name: String, value: String) {
        self.init(name: name, value: Array(value.utf8))
    }

    /// The value decoded as UTF-8, if it is valid UTF-8.
    public var stringValue: String? {
        value.flatMap { String(validating: $0, as: UTF8.self) }
    }
}
