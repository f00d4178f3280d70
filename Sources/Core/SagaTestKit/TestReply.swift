import SagaCore

/// What a participant answers in a ``SagaScenario``: succeeded, a business failure or a retriable
/// failure, with the reply payload the step reads.
///
/// ```swift
/// try scenario.reply(to: "debitPayer", with: .succeeded(DebitPayerReply(...)))
/// try scenario.reply(to: "debitPayer", with: .businessFailure(reason: "INSUFFICIENT_FUNDS", payload: refusal))
/// try scenario.reply(to: "debitPayer", with: .retriableFailure(reason: "ledger unavailable"))
/// ```
public struct TestReply: Sendable {
    /// The participant's verdict (the `saga-reply-status` header).
    public var status: ReplyStatus
    /// The reason of a failure (the `saga-reply-reason` header).
    public var reason: String?
    /// The payload: typed (encoded when the reply is delivered) or already encoded.
    private var body: Body?
    /// Extra headers, added after the envelope's.
    public var headers: [SagaHeader]

    /// A reply with every part given.
    public init(status: ReplyStatus, reason: String? = nil, payload: (any SagaPayloadCodable)? = nil, headers: [SagaHeader] = []) {
        self.status = status
        self.reason = reason
        self.body = payload.map(Body.typed)
        self.headers = headers
    }

    private enum Body: Sendable {
        case typed(any SagaPayloadCodable)
        case encoded(EncodedPayload)
    }

    private init(status: ReplyStatus, reason: String?, encoded: EncodedPayload?) {
        self.init(status: status, reason: reason)
        self.body = encoded.map(Body.encoded)
    }

    /// The payload as it travels (its wire type and bytes), if the reply has one.
    public func encodedPayload() throws -> EncodedPayload? {
        switch body {
        case .typed(let message): try EncodedPayload(message)
        case .encoded(let encoded): encoded
        case nil: nil
        }
    }

    /// Done, without a payload (a bare acknowledgement).
    public static var succeeded: TestReply { TestReply(status: .succeeded) }

    /// Done, with the result payload the step reads.
    public static func succeeded(_ payload: some SagaPayloadCodable) -> TestReply {
        TestReply(status: .succeeded, payload: payload)
    }

    /// Refused for a business reason (retrying would not help), optionally with a payload.
    public static func businessFailure(reason: String, payload: (any SagaPayloadCodable)? = nil) -> TestReply {
        TestReply(status: .businessFailure, reason: reason, payload: payload)
    }

    /// Could not be done now; the step is retried under its policy.
    public static func retriableFailure(reason: String) -> TestReply {
        TestReply(status: .retriableFailure, reason: reason)
    }

    /// What a participant handler returned (``ParticipantReply``), as it would travel.
    public static func participant(_ reply: ParticipantReply) -> TestReply {
        switch reply {
        case .succeeded(let payload): TestReply(status: .succeeded, reason: nil, encoded: payload)
        case .businessFailure(let reason, let payload): TestReply(status: .businessFailure, reason: reason, encoded: payload)
        case .retriableFailure(let reason): TestReply(status: .retriableFailure, reason: reason)
        }
    }

    /// The engine's reply to `command`, with the message id a participant would give it
    /// (derived from the command's id, so answering the same command twice redelivers one message).
    func stepReply(answering command: SentCommand) throws -> StepReply {
        let encoded = try encodedPayload()
        let messageID = DeterministicUUID.make("reply/\(command.messageID)")
        var envelope = [
            SagaHeader(SagaHeaders.messageID, messageID),
            SagaHeader(SagaHeaders.sagaID, command.sagaID),
            SagaHeader(SagaHeaders.causationID, command.messageID),
            SagaHeader(SagaHeaders.replyStatus, status.rawValue),
        ]
        if let reason { envelope.append(SagaHeader(SagaHeaders.replyReason, reason)) }
        if let encoded { envelope.append(SagaHeader(SagaHeaders.messageType, encoded.messageType)) }
        return StepReply(
            messageID: messageID, causationID: command.messageID, sagaID: command.sagaID, status: status, reason: reason,
            messageType: encoded?.messageType ?? "", payload: encoded?.payload ?? [], headers: envelope + headers
        )
    }
}
