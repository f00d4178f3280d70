import Foundation
import SagaContracts
import SagaCore
import SagaAvro
import ServiceKit

/// Saga data stored by the orchestrator as JSON (it never leaves the orchestrator's database,
/// so it needs no contract schema).
public protocol JSONSagaData: JSONPayload {
    /// The reason code of the last failed reply (`OUT_OF_STOCK`, `CREDIT_REJECTED`…), if any.
    var failureCode: String? { get set }
    /// The message of the last failed reply, if any.
    var failureMessage: String? { get set }
}

extension JSONSagaData {
    /// The failure to tell participants and customers about: the last failed reply's, or
    /// `TIMEOUT` when the step never answered.
    var failure: Failure {
        Failure(code: failureCode ?? "TIMEOUT", message: failureMessage ?? "the step did not answer in time")
    }
}

/// Reads a step's contract reply into the saga data: a failure's code and message are kept
/// for the compensations and notifications, and on success `onSuccess` picks the result ids.
/// A compensation's reply (`undoing: true`) never replaces the failure being undone: the
/// customer is told why the saga failed, not that its refund was briefly unavailable.
func reading<Reply: SagaReply & SagaPayloadCodable, Data: JSONSagaData>(
    _ type: Reply.Type, undoing: Bool = false, onSuccess: @escaping @Sendable (Reply, inout Data) -> Void = { _, _ in }
) -> ReplyInterpreter<Data> {
    contractReplyInterpreter(type, undoing: undoing, onFailure: { code, message, _, _, data in
        data.failureCode = code
        data.failureMessage = message
    }, onSuccess: { reply, _, data in onSuccess(reply, &data) })
}
