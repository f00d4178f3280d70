/// What a participant answered: `success`, a business `failure`, or a `retriable` failure.
public enum ReplyStatus: String, Sendable, Hashable, Codable {
    /// The command was carried out (`success` on the wire).
    case succeeded = "success"
    /// The command was refused for a business reason; retrying would not help (`failure` on the wire).
    case businessFailure = "failure"
    /// The command could not be carried out now; it may succeed when sent again (`retriable` on the wire).
    case retriableFailure = "retriable"
}

/// How a step interprets a reply: the saga goes on, compensates, or retries the step.
public enum ReplyInterpretation: Sendable, Hashable {
    /// The step succeeded; the saga moves to the next step.
    case succeeded
    /// The step failed for a business reason: before the pivot this starts compensation.
    case businessFailure(reason: String)
    /// The step failed transiently: it is retried under its ``RetryPolicy``.
    case retriableFailure(reason: String)
}

/// A reply received from a participant, as the engine decoded its envelope.
public struct StepReply: Sendable, Hashable {
    /// The reply's own unique id (inbox deduplication key).
    public var messageID: String
    /// The message id of the command this reply answers (its `causation-id` header).
    public var causationID: String
    /// The saga instance.
    public var sagaID: String
    /// The participant's verdict.
    public var status: ReplyStatus
    /// The participant's reason for a failure, if any.
    public var reason: String?
    /// The wire name of the payload type (may be empty for a bare acknowledgement).
    public var messageType: String
    /// The encoded reply payload.
    public var payload: [UInt8]
    /// All headers as received.
    public var headers: [SagaHeader]
    /// For a reply to a step over a list: the index of the item it answers (set by the engine
    /// from the request it answers, so an interpreter knows which item to record).
    public var item: Int?

    /// Creates a reply.
    public init(
        messageID: String, causationID: String, sagaID: String, status: ReplyStatus,
        reason: String? = nil, messageType: String = "", payload: [UInt8] = [], headers: [SagaHeader] = []
    ) {
        self.messageID = messageID
        self.causationID = causationID
        self.sagaID = sagaID
        self.status = status
        self.reason = reason
        self.messageType = messageType
        self.payload = payload
        self.headers = headers
    }

    /// The outcome implied by ``status`` alone (the default interpretation of a step).
    public var defaultInterpretation: ReplyInterpretation {
        switch status {
        case .succeeded: .succeeded
        case .businessFailure: .businessFailure(reason: reason ?? "participant refused the command")
        case .retriableFailure: .retriableFailure(reason: reason ?? "participant asked to retry")
        }
    }

    /// Decodes the payload as `T`, checking the wire type first.
    public func decode<T: SagaPayloadCodable>(_ type: T.Type) throws -> T {
        guard messageType == T.messageType else {
            throw SagaReplyDecodingError(expected: T.messageType, actual: messageType, messageID: messageID)
        }
        return try T.decodePayload(payload)
    }
}

/// A reply carried a payload of another type than the step expected.
public struct SagaReplyDecodingError: Error, Hashable, CustomStringConvertible {
    /// The type the step expected.
    public var expected: String
    /// The type the reply carried.
    public var actual: String
    /// The reply's message id.
    public var messageID: String

    /// A readable description.
    public var description: String {
        "reply \(messageID) carries \(actual.isEmpty ? "no payload type" : actual), expected \(expected)"
    }
}
