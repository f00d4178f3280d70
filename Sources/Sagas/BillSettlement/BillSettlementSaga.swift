import Foundation
import SagaContracts
import SagaCore
import ServiceKit

/// The bill-settlement saga (`sagaType` `bill-settlement`): a bill's owner is paid every payer's
/// share by UPI, or nobody pays anything.
///
/// validateShares (each share, in parallel) → collectShares (debit each payer, in parallel) →
/// payOwner (the pivot: the owner is credited every share at once) → notifySettled (each payer
/// and the owner, `BILL_SETTLED`). A share that fails (unknown VPA, frozen account, insufficient
/// funds, limit) or an owner who cannot be paid refunds every share already collected, last
/// first, then tells every payer and the owner why (`BILL_FAILED`). The failure notice is a
/// compensation-only step placed first, so it runs last.
///
/// Written with the public API of `SagaCore` and the contracts only: it is the worked example of
/// `docs/guide/your-first-saga.md`.
public enum BillSettlementSaga {
    /// The saga type.
    public static let sagaType = "bill-settlement"
    /// The `source` of the commands' envelopes.
    public static let source = "saga-orchestrator"
    /// The most shares one bill may have.
    public static let maximumShares = 50

    /// The definition on `topics`, with `timeout` for each reply and `retry` for each step (and
    /// each share), and `afterPivotRetry` for what must finish (notifications, refunds).
    public static func definition(
        topics: SagaTopics = SagaTopics(), timeout: Duration = .seconds(10),
        retry: RetryPolicy = .exponential(maxAttempts: 3, initial: .milliseconds(200)),
        afterPivotRetry: RetryPolicy = .exponential(maxAttempts: 20, initial: .milliseconds(200), max: .seconds(30))
    ) throws -> SagaDefinition<BillSettlementData> {
        try SagaDefinition<BillSettlementData>(name: sagaType, version: 1, replyTopic: topics.billReplies) {
            SagaStep<BillSettlementData>.onCompensation("notifyFailure", forEach: \.recipients)
                .compensateEach(topic: topics.notificationCommands, timeout: timeout, retry: afterPivotRetry) { data, recipient, context in
                    try notification(.billFailed, to: recipient, data, context, extra: failureParameters(data, recipient))
                }
            SagaStep<BillSettlementData>.compensatable("validateShares", topic: topics.accountCommands, forEach: \.shares) { data, share, context in
                ValidateTransfer(metadata: try .command(context, source: source), transferId: try uuid(share.transferID, "share transfer id"),
                    payerVpa: share.payerVPA, payeeVpa: data.ownerVPA, amount: Money(amountMinor: share.amountMinor, currency: data.currency))
            }
            .onReply(reading(ValidateTransferReply.self))
            .timeout(timeout).retry(retry)
            .withoutCompensation()
            SagaStep<BillSettlementData>.compensatable("collectShares", topic: topics.accountCommands, forEach: \.shares) { data, share, context in
                DebitPayer(metadata: try .command(context, source: source), transferId: try uuid(share.transferID, "share transfer id"),
                    payerVpa: share.payerVPA, amount: Money(amountMinor: share.amountMinor, currency: data.currency))
            }
            .onReply(reading(DebitPayerReply.self) { reply, item, data in share(item, of: &data) { $0.debitID = reply.debitId.map(text) } })
            .timeout(timeout).retry(retry)
            .compensateEach(topic: topics.accountCommands, timeout: timeout, retry: afterPivotRetry,
                onReply: reading(RefundPayerReply.self, undoing: true) { reply, item, data in
                    share(item, of: &data) { $0.refundID = reply.refundId.map(text) }
                }
            ) { data, share, context in
                RefundPayer(metadata: try .command(context, source: source), transferId: try uuid(share.transferID, "share transfer id"),
                    payerVpa: share.payerVPA, amount: Money(amountMinor: share.amountMinor, currency: data.currency),
                    debitId: try share.debitID.map { try uuid($0, "debit id") }, reason: data.failure)
            }
            SagaStep<BillSettlementData>.pivot("payOwner", topic: topics.accountCommands) { data, context in
                PayBillOwner(metadata: try .command(context, source: source), billId: try uuid(data.billID, "bill id"),
                    ownerVpa: data.ownerVPA, amount: Money(amountMinor: data.totalMinor, currency: data.currency),
                    shareTransferIds: try data.shares.map { try uuid($0.transferID, "share transfer id") })
            }
            .onReply(reading(PayBillOwnerReply.self) { reply, _, data in data.settlementID = reply.settlementId.map(text) })
            .timeout(timeout).retry(retry)
            SagaStep<BillSettlementData>.retriable("notifySettled", topic: topics.notificationCommands, forEach: \.recipients) { data, recipient, context in
                try notification(.billSettled, to: recipient, data, context, extra: [:])
            }
            .timeout(timeout).retry(afterPivotRetry)
        }
    }

    /// The notice to one recipient: the bill, their part in it (their share, or the total for the
    /// owner) and `extra`.
    static func notification(
        _ kind: NotificationKind, to recipient: BillSettlementData.Recipient, _ data: BillSettlementData, _ context: CommandContext,
        extra: [String: String]
    ) throws -> SendNotification {
        var parameters = extra.merging([
            "role": recipient.share == nil ? "owner" : "payer", "owner": data.ownerVPA, "currency": data.currency,
            "amountMinor": String(recipient.share?.amountMinor ?? data.totalMinor), "shares": String(data.shares.count),
        ]) { first, _ in first }
        if let note = data.note { parameters["note"] = note }
        return SendNotification(metadata: try .command(context, source: source), kind: kind, recipient: recipient.vpa,
            subjectId: try uuid(data.billID, "bill id"), parameters: parameters)
    }

    /// Why the bill failed, whose share failed, and (for a payer) whether their share was refunded.
    static func failureParameters(_ data: BillSettlementData, _ recipient: BillSettlementData.Recipient) -> [String: String] {
        var parameters = ["reason": data.failure.code, "message": data.failure.message]
        if let failed = data.failedPayerVPA { parameters["failedPayer"] = failed }
        if let refundID = recipient.share?.refundID { parameters["refundId"] = refundID }
        return parameters
    }

    /// Starts a bill-settlement saga from each `BillSettlementRequested` on `topic`; the saga id
    /// is the bill id, so a request sent twice settles the bill once.
    public static func trigger(topic: String = SagaTopics().billSettlementRequested) -> SagaTrigger {
        SagaTrigger(topic: topic, sagaType: sagaType) { message in
            let event = try BillSettlementRequested.decodePayload(message.value)
            return (text(event.billId), try BillSettlementData(event).encodePayload())
        }
    }

    /// The saga's registration: its definition and trigger on `topics`, with the step policies given.
    public static func registration(
        topics: SagaTopics, timeout: Duration, retry: RetryPolicy, afterPivotRetry: RetryPolicy
    ) throws -> SagaRegistration {
        try SagaRegistration(
            definitions: [definition(topics: topics, timeout: timeout, retry: retry, afterPivotRetry: afterPivotRetry)],
            trigger: trigger(topic: topics.billSettlementRequested)
        )
    }
}
