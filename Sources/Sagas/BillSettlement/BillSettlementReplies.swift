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
        { reply, data in
            if undoing {
                if reply.status == .succeeded { onSuccess(try reply.decode(Reply.self), reply.item, &data) }
                return reply.defaultInterpretation
            }
            switch reply.status {
            case .retriableFailure:
                data.failureCode = "UNAVAILABLE"
                data.failureMessage = reply.reason
            case .succeeded, .businessFailure:
                let body = try reply.decode(Reply.self)
                if let failure = body.failure {
                    data.failureCode = failure.code
                    data.failureMessage = failure.message
                    data.failedPayerVPA = reply.item.flatMap { data.shares.indices.contains($0) ? data.shares[$0].payerVPA : nil }
                }
                if reply.status == .succeeded { onSuccess(body, reply.item, &data) }
            }
            return reply.defaultInterpretation
        }
    }

    /// Records `value` on the share a list item's reply answers.
    static func share(_ item: Int?, of data: inout BillSettlementData, _ change: (inout BillSettlementData.Share) -> Void) {
        guard let item, data.shares.indices.contains(item) else { return }
        change(&data.shares[item])
    }
}
