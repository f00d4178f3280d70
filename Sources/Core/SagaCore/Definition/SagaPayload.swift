/// A value the engine can carry as an opaque encoded payload: saga data, commands and replies.
///
/// The engine never looks inside a payload; it stores and publishes the bytes together with
/// ``messageType`` so a consumer knows how to decode them. Types generated from the Avro
/// contracts conform by encoding with the Avro module (single-object framing), so a saga
/// definition stays typed while the store and the outbox move bytes.
public protocol SagaPayloadCodable: Sendable {
    /// The name of the message type on the wire (the Avro full name for generated types).
    static var messageType: String { get }
    /// Encodes this value into the bytes stored or published.
    func encodePayload() throws -> [UInt8]
    /// Decodes a value from bytes produced by ``encodePayload()``.
    static func decodePayload(_ bytes: [UInt8]) throws -> Self
}

/// A message header: a name and raw bytes, as Kafka carries them.
public struct SagaHeader: Sendable, Hashable, Codable {
    /// The header name.
    public var key: String
    /// The header value.
    public var value: [UInt8]

    /// Creates a header from raw bytes.
    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 encoding of `string`.
    public init(_ key: String, _ string: String) {
        self.init(key: key, value: Array(string.utf8))
    }

    /// The value decoded as UTF-8, or `nil` when it is not valid UTF-8.
    public var stringValue: String? { String(validating: value, as: UTF8.self) }
}

extension Array where Element == SagaHeader {
    /// The last header named `key` decoded as UTF-8 (the last one wins, as in Kafka clients).
    public func string(_ key: String) -> String? {
        last(where: { $0.key == key })?.stringValue
    }

    /// A copy without any header whose name satisfies `predicate`.
    public func removing(where predicate: (String) -> Bool) -> [SagaHeader] {
        filter { !predicate($0.key) }
    }
}

/// The header names of the engine's envelope, in one place; values are UTF-8 text. The first
/// six are also the contracts' header convention (`schemas/README.md`, "Kafka records"); the
/// `saga-` ones are the engine's own.
public enum SagaHeaders {
    /// Unique id of a message (UUID text); the inbox deduplicates by it.
    public static let messageID = "message-id"
    /// The full name of the payload's type (for Avro payloads, the schema's full name).
    public static let messageType = "message-type"
    /// The saga instance this message belongs to.
    public static let sagaID = "saga-id"
    /// The id of the message that caused this one; on a reply, the id of the command it answers.
    public static let causationID = "causation-id"
    /// The payload encoding (e.g. Avro single-object or Confluent framing).
    public static let contentType = "content-type"
    /// W3C Trace Context.
    public static let traceparent = "traceparent"
    /// W3C Trace Context vendor state.
    public static let tracestate = "tracestate"
    /// The saga type (definition name).
    public static let sagaType = "saga-type"
    /// The topic a participant sends its reply to.
    public static let replyTo = "saga-reply-to"
    /// The step name a command belongs to.
    public static let step = "saga-step"
    /// The attempt number of a command (1-based).
    public static let attempt = "saga-attempt"
    /// Stable across the attempts of one step: participants may use it to deduplicate business effects.
    public static let idempotencyKey = "saga-idempotency-key"
    /// For a step over a list: the index of the item a command is for (0-based).
    public static let item = "saga-item"
    /// A reply's outcome: `success`, `failure` or `retriable` (see ``ReplyInterpretation``).
    public static let replyStatus = "saga-reply-status"
    /// A failure reply's human-readable reason.
    public static let replyReason = "saga-reply-reason"
}

/// An encoded message the engine publishes: written to the outbox, then relayed to Kafka.
public struct OutgoingMessage: Sendable, Hashable, Codable {
    /// Destination topic.
    public var topic: String
    /// Partitioning key (the saga id for saga traffic, so one saga's messages keep their order).
    public var key: [UInt8]
    /// The encoded payload.
    public var value: [UInt8]
    /// Headers, including ``SagaHeaders/messageID``.
    public var headers: [SagaHeader]

    /// Creates an outgoing message.
    public init(topic: String, key: [UInt8], value: [UInt8], headers: [SagaHeader]) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// The message id header, if present.
    public var messageID: String? { headers.string(SagaHeaders.messageID) }
}

/// A command a step sends to a participant: its wire type and encoded payload.
public struct EncodedPayload: Sendable, Hashable {
    /// The wire name of the command type.
    public var messageType: String
    /// The encoded command.
    public var payload: [UInt8]

    /// Creates a command from an already encoded payload.
    public init(messageType: String, payload: [UInt8]) {
        self.messageType = messageType
        self.payload = payload
    }

    /// Creates a command by encoding a typed message.
    public init(_ message: some SagaPayloadCodable) throws {
        self.init(messageType: type(of: message).messageType, payload: try message.encodePayload())
    }
}
