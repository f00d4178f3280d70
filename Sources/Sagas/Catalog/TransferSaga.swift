import Foundation
import SagaContracts
import SagaCore
import SagaAvro
import ServiceKit

/// The UPI transfer saga's data: the request and what the steps returned.
public struct TransferSagaData: JSONSagaData, Hashable {
    /// The engine's type name of this payload.
    public static var messageType: String { "swiftsaga.TransferSagaData" }
    /// The transfer (UUID text; also the saga id and the idempotency key of every posting).
    public var transferID: String
    /// Who pays.
    public var payerVPA: String
    /// Who is paid.
    public var payeeVPA: String
    /// The amount in minor units.
    public var amountMinor: Int64
    /// ISO 4217.
    public var currency: String
    /// The payer's note, if any.
    public var note: String?
    /// From the debitPayer reply.
    public var debitID: String?
    /// From the creditPayee reply.
    public var creditID: String?
    /// From the refundPayer reply.
    public var refundID: String?
    /// See ``JSONSagaData``.
    public var failureCode: String?
    /// See ``JSONSagaData``.
    public var failureMessage: String?

    /// The saga data of a transfer request.
    public init(_ event: TransferRequested) {
        transferID = text(event.transferId)
        payerVPA = event.payerVpa
        payeeVPA = event.payeeVpa
        amountMinor = event.amount.amountMinor
        currency = event.amount.currency
        note = event.note
    }

    /// The amount.
    public var amount: Money { Money(amountMinor: amountMinor, currency: currency) }
}

/// The UPI transfer saga (`sagaType` `transfer`), as schemas/README.md's table says:
/// validateTransfer → debitPayer → creditPayee (pivot) → notifyPayer (`TRANSFER_SENT`) →
/// notifyPayee (`TRANSFER_RECEIVED`). Validation or debit refused: notify the payer
/// (`TRANSFER_FAILED`); credit refused: refundPayer, then notify the payer (`TRANSFER_REFUNDED`).
/// The failure notice is a compensation-only step placed first, so it runs last.
public enum TransferSaga {
    /// The saga type.
    public static let sagaType = "transfer"
    /// The `source` of the commands' envelopes.
    public static let source = "saga-orchestrator"

    /// The definition on `topics`, with `timeout` for each reply and `retry` for each step.
    public static func definition(
        topics: SagaTopics = SagaTopics(), timeout: Duration = .seconds(10),
        retry: RetryPolicy = .exponential(maxAttempts: 3, initial: .milliseconds(200)),
        afterPivotRetry: RetryPolicy = .exponential(maxAttempts: 20, initial: .milliseconds(200), max: .seconds(30))
    ) throws -> SagaDefinition<TransferSagaData> {
        try SagaDefinition<TransferSagaData>(name: sagaType, version: 1, replyTopic: topics.transferReplies) {
            SagaStep<TransferSagaData>.onCompensation("notifyPayerOfFailure")
                .compensate(topic: topics.notificationCommands, timeout: timeout, retry: afterPivotRetry) { data, context in
                    var parameters = ["reason": data.failure.code, "message": data.failure.message,
                        "amountMinor": String(data.amountMinor), "currency": data.currency]
                    if let refundID = data.refundID { parameters["refundId"] = refundID }
                    return SendNotification(
                        metadata: try .command(context, source: source),
                        kind: data.refundID == nil ? .transferFailed : .transferRefunded, recipient: data.payerVPA,
                        subjectId: try uuid(data.transferID, "transfer id"), parameters: parameters
                    )
                }
            SagaStep<TransferSagaData>.compensatable("validateTransfer", topic: topics.accountCommands) { data, context in
                ValidateTransfer(metadata: try .command(context, source: source), transferId: try uuid(data.transferID, "transfer id"),
                    payerVpa: data.payerVPA, payeeVpa: data.payeeVPA, amount: data.amount)
            }
            .onReply(reading(ValidateTransferReply.self))
            .timeout(timeout).retry(retry)
            .withoutCompensation()
            SagaStep<TransferSagaData>.compensatable("debitPayer", topic: topics.accountCommands) { data, context in
                DebitPayer(metadata: try .command(context, source: source), transferId: try uuid(data.transferID, "transfer id"),
                    payerVpa: data.payerVPA, amount: data.amount)
            }
            .onReply(reading(DebitPayerReply.self) { reply, data in data.debitID = reply.debitId.map(text) })
            .timeout(timeout).retry(retry)
            .compensate(topic: topics.accountCommands, timeout: timeout, retry: afterPivotRetry,
                onReply: reading(RefundPayerReply.self, undoing: true) { reply, data in data.refundID = reply.refundId.map(text) }
            ) { data, context in
                RefundPayer(metadata: try .command(context, source: source), transferId: try uuid(data.transferID, "transfer id"),
                    payerVpa: data.payerVPA, amount: data.amount, debitId: try data.debitID.map { try uuid($0, "debit id") },
                    reason: data.failure)
            }
            SagaStep<TransferSagaData>.pivot("creditPayee", topic: topics.accountCommands) { data, context in
                CreditPayee(metadata: try .command(context, source: source), transferId: try uuid(data.transferID, "transfer id"),
                    payeeVpa: data.payeeVPA, amount: data.amount, debitId: try uuid(data.debitID ?? "", "debit id"))
            }
            .onReply(reading(CreditPayeeReply.self) { reply, data in data.creditID = reply.creditId.map(text) })
            .timeout(timeout).retry(retry)
            SagaStep<TransferSagaData>.retriable("notifyPayer", topic: topics.notificationCommands) { data, context in
                SendNotification(metadata: try .command(context, source: source), kind: .transferSent, recipient: data.payerVPA,
                    subjectId: try uuid(data.transferID, "transfer id"), parameters: notice(data, counterparty: data.payeeVPA))
            }
            .timeout(timeout).retry(afterPivotRetry)
            SagaStep<TransferSagaData>.retriable("notifyPayee", topic: topics.notificationCommands) { data, context in
                SendNotification(metadata: try .command(context, source: source), kind: .transferReceived, recipient: data.payeeVPA,
                    subjectId: try uuid(data.transferID, "transfer id"), parameters: notice(data, counterparty: data.payerVPA))
            }
            .timeout(timeout).retry(afterPivotRetry)
        }
    }

    static func notice(_ data: TransferSagaData, counterparty: String) -> [String: String] {
        var parameters = ["amountMinor": String(data.amountMinor), "currency": data.currency, "counterparty": counterparty]
        if let note = data.note { parameters["note"] = note }
        return parameters
    }

    /// Starts a transfer saga from each `TransferRequested` on `topic`; the saga id is the
    /// transfer id, so a request sent twice starts one saga.
    public static func trigger(topic: String = SagaTopics().transferRequested) -> SagaTrigger {
        SagaTrigger(topic: topic, sagaType: sagaType) { message in
            let event = try TransferRequested.decodePayload(message.value)
            return (text(event.transferId), try TransferSagaData(event).encodePayload())
        }
    }

    /// The saga's registration: its definition and trigger on `options`' topics and policies.
    public static func registration(_ options: SagaCatalog.Options) throws -> SagaRegistration {
        try SagaRegistration(
            definitions: [
                definition(topics: options.topics, timeout: options.stepTimeout, retry: options.stepRetry,
                    afterPivotRetry: options.afterPivotRetry),
            ],
            trigger: trigger(topic: options.topics.transferRequested)
        )
    }
}
