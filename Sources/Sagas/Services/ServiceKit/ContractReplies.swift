import SagaContracts
import SagaCore

extension ParticipantReply {
    /// The engine reply for a contract reply: its ``ReplyOutcome`` becomes the engine status
    /// (`SUCCEEDED` → success, `BUSINESS_FAILURE` → failure, `RETRIABLE_FAILURE` → retriable) and the
    /// failure's `CODE: message` the reason; the contract reply travels as the payload.
    public static func contract<Reply: SagaReply & SagaPayloadCodable>(_ reply: Reply) throws -> ParticipantReply {
        let reason = reply.failure.map { "\($0.code): \($0.message)" }
        switch reply.outcome {
        case .succeeded: return .succeeded(try EncodedPayload(reply))
        case .businessFailure: return .businessFailure(reason: reason ?? "BUSINESS_FAILURE", try EncodedPayload(reply))
        case .retriableFailure: return .retriableFailure(reason: reason ?? "RETRIABLE_FAILURE")
        }
    }
}

/// The outcome of a domain operation a command asked for: done (with the step's result id, if
/// any) or refused with a reason code.
public enum StepResult: Sendable, Hashable {
    /// Done; the id the reply carries (reservation, authorization, debit…), if the step has one.
    case done(String?)
    /// Refused for a business reason.
    case refused(Failure)

    /// The contract outcome.
    public var outcome: ReplyOutcome {
        switch self {
        case .done: .succeeded
        case .refused: .businessFailure
        }
    }

    /// The failure, if refused.
    public var failure: Failure? {
        if case .refused(let failure) = self { return failure }
        return nil
    }

    /// The result id, if done.
    public var resultID: String? {
        if case .done(let id) = self { return id }
        return nil
    }
}

/// Reads a step's contract reply into saga data, for a definition's `onReply`: a failure's code
/// and message go to `onFailure` (`UNAVAILABLE` and the reason, if any, with `retriable` true for
/// a retriable one), and on
/// success `onSuccess` records the result ids; both are told ``StepReply/item`` for a step over a
/// list. A compensation's reply (`undoing: true`) reports no failure, so it never replaces the
/// failure being undone. The step then goes on as the reply's outcome says.
public func contractReplyInterpreter<Reply: SagaReply & SagaPayloadCodable, Data: Sendable>(
    _ type: Reply.Type, undoing: Bool,
    onFailure: @escaping @Sendable (_ code: String, _ message: String?, _ retriable: Bool, _ item: Int?, inout Data) -> Void,
    onSuccess: @escaping @Sendable (Reply, _ item: Int?, inout Data) -> Void
) -> ReplyInterpreter<Data> {
    { reply, data in
        if undoing {
            if reply.status == .succeeded { onSuccess(try reply.decode(Reply.self), reply.item, &data) }
            return reply.defaultInterpretation
        }
        switch reply.status {
        case .retriableFailure:
            onFailure("UNAVAILABLE", reply.reason, true, reply.item, &data)
        case .succeeded, .businessFailure:
            let body = try reply.decode(Reply.self)
            if let failure = body.failure { onFailure(failure.code, failure.message, false, reply.item, &data) }
            if reply.status == .succeeded { onSuccess(body, reply.item, &data) }
        }
        return reply.defaultInterpretation
    }
}
