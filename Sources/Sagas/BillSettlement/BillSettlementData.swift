import Foundation
import SagaContracts
import SagaCore
import ServiceKit

/// The bill-settlement saga's data: the bill, and what each step returned for each share.
///
/// It is stored by the orchestrator as JSON (``SagaCore/JSONPayload``) and never leaves it, so it
/// needs no contract schema.
public struct BillSettlementData: JSONPayload, Hashable {
    /// The engine's type name of this payload.
    public static var messageType: String { "swiftsaga.BillSettlementData" }

    /// One payer's share and where its collection stands.
    public struct Share: Codable, Hashable, Sendable {
        /// Who pays this share.
        public var payerVPA: String
        /// The share in minor units.
        public var amountMinor: Int64
        /// The transfer id of this share's debit and refund (derived from the bill id and the
        /// share's position, so every replica and restart names it alike).
        public var transferID: String
        /// From the share's `DebitPayer` reply.
        public var debitID: String?
        /// From the share's `RefundPayer` reply (nil when nothing was taken).
        public var refundID: String?
    }

    /// Someone a notification goes to: a payer (with their share) or the owner.
    public struct Recipient: Hashable, Sendable {
        /// The VPA notified.
        public var vpa: String
        /// The payer's share, or nil for the owner.
        public var share: Share?
    }

    /// The bill (UUID text; also the saga id).
    public var billID: String
    /// Who paid the bill and is paid the shares.
    public var ownerVPA: String
    /// ISO 4217 code of every amount.
    public var currency: String
    /// What the bill was for, if given.
    public var note: String?
    /// The shares, in the order of the request.
    public var shares: [Share]
    /// From the `PayBillOwner` reply.
    public var settlementID: String?
    /// The reason code of the failure being undone (`INSUFFICIENT_FUNDS`…), if any.
    public var failureCode: String?
    /// Its message.
    public var failureMessage: String?
    /// The payer whose share failed, when a share failed.
    public var failedPayerVPA: String?

    /// The saga data of a settlement request.
    public init(_ event: BillSettlementRequested) {
        let billID = text(event.billId)
        self.billID = billID
        ownerVPA = event.ownerVpa
        currency = event.currency
        note = event.note
        shares = event.shares.enumerated().map { index, share in
            Share(payerVPA: share.payerVpa, amountMinor: share.amountMinor,
                transferID: DeterministicUUID.make("bill/\(billID)/share/\(index)"))
        }
    }

    /// The sum of the shares: what the owner is paid.
    public var totalMinor: Int64 { shares.reduce(0) { $0 + $1.amountMinor } }

    /// Everyone told how the bill ended: each payer, then the owner.
    public var recipients: [Recipient] {
        shares.map { Recipient(vpa: $0.payerVPA, share: $0) } + [Recipient(vpa: ownerVPA, share: nil)]
    }

    /// The failure everyone is told about: the failed reply's, or `TIMEOUT` when a step never answered.
    public var failure: Failure {
        Failure(code: failureCode ?? "TIMEOUT", message: failureMessage ?? "the step did not answer in time")
    }
}
