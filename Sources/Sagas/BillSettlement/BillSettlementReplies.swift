import SagaContracts
import SagaCore
import ServiceKit

extension BillSettlementSaga {
    /// Reads a contract reply into the saga data: a failure's code and message (and, for a share,
    /// its payer) are kept for the notifications; on success `onSuccess` records the result ids.
    /// A compensation's reply (`undoing: true`) never replaces the failure being undone.
    static func reading<Reply: SagaReply & SagaPayloadCodable>(
        _ type: Reply.Type, undoing: Bool = false,
        onSuccess: @escaping @Sendable (Reply, Int?, inout BillSettlementData) -> Void = { _, _, _ in }
    ) -> ReplyInterpreter<BillSettlementData> {
        contractReplyInterpreter(type, undoing: undoing, onFailure: { code, message, retriable, item, data in
            data.failureCode = code
            data.failureMessage = message
            // The payer whose share failed for good (a retriable answer may still succeed).
            if !retriable { data.failedPayerVPA = item.flatMap { data.shares.indices.contains($0) ? data.shares[$0].payerVPA : nil } }
        }, onSuccess: onSuccess)
    }

    /// Records `value` on the share a list item's reply answers.
    static func share(_ item: Int?, of data: inout BillSettlementData, _ change: (inout BillSettlementData.Share) -> Void) {
        guard let item, data.shares.indices.contains(item) else { return }
        change(&data.shares[item])
    }
}
