/// Reading the engine's envelope headers off consumed messages.
enum Envelope {
    static func required(_ name: String, in message: InboundMessage) throws(SagaRuntimeError) -> String {
        guard let value = message.headers.string(name), !value.isEmpty else {
            throw .invalidEnvelope(coordinates: message.coordinates, detail: "missing header '\(name)'")
        }
        return value
    }
}

extension StepReply {
    /// Reads a reply from a consumed message's headers and value.
    public init(from message: InboundMessage) throws(SagaRuntimeError) {
        let statusText = try Envelope.required(SagaHeaders.replyStatus, in: message)
        guard let status = ReplyStatus(rawValue: statusText) else {
            throw .invalidEnvelope(coordinates: message.coordinates, detail: "unknown reply status '\(statusText)'")
        }
        self.init(
            messageID: try Envelope.required(SagaHeaders.messageID, in: message),
            causationID: try Envelope.required(SagaHeaders.causationID, in: message),
            sagaID: try Envelope.required(SagaHeaders.sagaID, in: message),
            status: status, reason: message.headers.string(SagaHeaders.replyReason),
            messageType: message.headers.string(SagaHeaders.messageType) ?? "", payload: message.value,
            headers: message.headers
        )
    }
}

/// A command as a participant receives it.
public struct ParticipantCommand: Sendable {
    /// The command's message id (the inbox key, and the reply's causation id).
    public var messageID: String
    /// The payload's type name.
    public var messageType: String
    /// The saga instance.
    public var sagaID: String
    /// The saga type, if given.
    public var sagaType: String?
    /// Where to reply.
    public var replyTo: String
    /// The step, if given.
    public var step: String?
    /// The attempt, if given.
    public var attempt: Int?
    /// Stable across attempts of one step: use it to make business effects idempotent.
    public var idempotencyKey: String?
    /// The encoded command.
    public var payload: [UInt8]
    /// The consumed record.
    public var source: InboundMessage

    /// Reads a command from a consumed message.
    public init(from message: InboundMessage) throws(SagaRuntimeError) {
        messageID = try Envelope.required(SagaHeaders.messageID, in: message)
        messageType = try Envelope.required(SagaHeaders.messageType, in: message)
        sagaID = try Envelope.required(SagaHeaders.sagaID, in: message)
        replyTo = try Envelope.required(SagaHeaders.replyTo, in: message)
        sagaType = message.headers.string(SagaHeaders.sagaType)
        step = message.headers.string(SagaHeaders.step)
        attempt = message.headers.string(SagaHeaders.attempt).flatMap { Int($0) }
        idempotencyKey = message.headers.string(SagaHeaders.idempotencyKey)
        payload = message.value
        source = message
    }

    /// Decodes the payload as `T`, checking the type name first.
    public func decode<T: SagaPayloadCodable>(_ type: T.Type) throws -> T {
        guard messageType == T.messageType else {
            throw SagaReplyDecodingError(expected: T.messageType, actual: messageType, messageID: messageID)
        }
        return try T.decodePayload(payload)
    }
}

/// A participant's answer to a command.
public enum ParticipantReply: Sendable {
    /// Done; with an optional result payload.
    case succeeded(EncodedPayload?)
    /// Refused for a business reason; with an optional payload.
    case businessFailure(reason: String, EncodedPayload?)
    /// Could not be done now; the orchestrator may send the command again.
    case retriableFailure(reason: String)

    /// Done, with a typed result.
    public static func succeeded(_ payload: some SagaPayloadCodable) throws -> ParticipantReply {
        .succeeded(try EncodedPayload(payload))
    }

    var status: ReplyStatus {
        switch self {
        case .succeeded: .succeeded
        case .businessFailure: .businessFailure
        case .retriableFailure: .retriableFailure
        }
    }

    /// The reply message to `command`; its id derives from the command's, so a reprocessed
    /// command (after a crash before its offset was stored) yields the same reply id.
    func message(answering command: ParticipantCommand) -> OutgoingMessage {
        var headers = [
            SagaHeader(SagaHeaders.messageID, DeterministicUUID.make("reply/\(command.messageID)")),
            SagaHeader(SagaHeaders.sagaID, command.sagaID),
            SagaHeader(SagaHeaders.causationID, command.messageID),
            SagaHeader(SagaHeaders.replyStatus, status.rawValue),
        ]
        if let sagaType = command.sagaType { headers.append(SagaHeader(SagaHeaders.sagaType, sagaType)) }
        let payload: EncodedPayload?
        switch self {
        case .succeeded(let p): payload = p
        case .businessFailure(let reason, let p):
            payload = p
            headers.append(SagaHeader(SagaHeaders.replyReason, reason))
        case .retriableFailure(let reason):
            payload = nil
            headers.append(SagaHeader(SagaHeaders.replyReason, reason))
        }
        if let payload { headers.append(SagaHeader(SagaHeaders.messageType, payload.messageType)) }
        if let trace = TraceContext(headers: command.source.headers) { headers += trace.headers }
        return OutgoingMessage(
            topic: command.replyTo, key: Array(command.sagaID.utf8), value: payload?.payload ?? [], headers: headers
        )
    }
}
