import Foundation
import SagaCatalog
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit

/// A transfer of ₹250 from alice to bob, and the account service's contract replies to it.
enum TransferFixture {
    static let transferID = fixedUUID(0x01)
    static let debitID = fixedUUID(0xd1)
    static let creditID = fixedUUID(0xc1)
    static let refundID = fixedUUID(0xe1)
    static let payer = "alice@okbank"
    static let payee = "bob@okbank"

    static var data: TransferSagaData {
        TransferSagaData(TransferRequested(
            metadata: MessageMetadata(messageId: UUID(), sagaId: transferID, causationId: nil, occurredAt: Date(timeIntervalSince1970: 0),
                source: "test", traceParent: nil, replyTo: nil),
            transferId: transferID, payerVpa: payer, payeeVpa: payee, amount: Money(amountMinor: 25_000, currency: "INR"), note: "rent"
        ))
    }

    /// A transfer saga as shipped, with 1 s timeouts and retry policies small enough to run out.
    static func scenario(afterPivotRetry: RetryPolicy = .exponential(maxAttempts: 2, initial: .seconds(1), jitter: 0))
        throws -> SagaScenario<TransferSagaData>
    {
        try SagaScenario(
            TransferSaga.definition(timeout: .seconds(1), retry: .exponential(maxAttempts: 3, initial: .seconds(1), jitter: 0),
                afterPivotRetry: afterPivotRetry),
            data: data, sagaID: transferID.uuidString.lowercased()
        )
    }

    static func refused(_ code: String) -> Failure { Failure(code: code, message: "\(code.lowercased()) in test") }

    static func validated(_ m: MessageMetadata) -> ValidateTransferReply {
        ValidateTransferReply(metadata: m, transferId: transferID, outcome: .succeeded, failure: nil)
    }
    static func validationRefused(_ code: String) -> (MessageMetadata) -> ValidateTransferReply {
        { ValidateTransferReply(metadata: $0, transferId: transferID, outcome: .businessFailure, failure: refused(code)) }
    }
    static func debited(_ m: MessageMetadata) -> DebitPayerReply {
        DebitPayerReply(metadata: m, transferId: transferID, outcome: .succeeded, failure: nil, debitId: debitID)
    }
    static func debitRefused(_ code: String) -> (MessageMetadata) -> DebitPayerReply {
        { DebitPayerReply(metadata: $0, transferId: transferID, outcome: .businessFailure, failure: refused(code), debitId: nil) }
    }
    static func debitUnavailable(_ m: MessageMetadata) -> DebitPayerReply {
        DebitPayerReply(metadata: m, transferId: transferID, outcome: .retriableFailure, failure: refused("LEDGER_BUSY"), debitId: nil)
    }
    static func credited(_ m: MessageMetadata) -> CreditPayeeReply {
        CreditPayeeReply(metadata: m, transferId: transferID, outcome: .succeeded, failure: nil, creditId: creditID)
    }
    static func creditRefused(_ m: MessageMetadata) -> CreditPayeeReply {
        CreditPayeeReply(metadata: m, transferId: transferID, outcome: .businessFailure, failure: refused("CREDIT_REJECTED"), creditId: nil)
    }
    static func refunded(_ m: MessageMetadata) -> RefundPayerReply {
        RefundPayerReply(metadata: m, transferId: transferID, outcome: .succeeded, failure: nil, refundId: refundID)
    }
    /// The refund of a debit that never happened: acknowledged, nothing refunded.
    static func nothingToRefund(_ m: MessageMetadata) -> RefundPayerReply {
        RefundPayerReply(metadata: m, transferId: transferID, outcome: .succeeded, failure: nil, refundId: nil)
    }
    static func refundUnavailable(_ m: MessageMetadata) -> RefundPayerReply {
        RefundPayerReply(metadata: m, transferId: transferID, outcome: .retriableFailure, failure: refused("LEDGER_BUSY"), refundId: nil)
    }
}

extension SagaScenario<TransferSagaData> {
    /// Validates and debits: the saga then waits for the credit (the pivot).
    mutating func debitPayer() throws {
        try answer("validateTransfer", TransferFixture.validated)
        try answer("debitPayer", TransferFixture.debited)
    }
}
