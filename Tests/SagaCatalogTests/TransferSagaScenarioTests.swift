import Foundation
import SagaCatalog
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit
import Testing

/// Every path of the UPI transfer saga on the pure state machine (SagaTestKit): no broker, no database.
@Suite struct TransferSagaScenarioTests {
    typealias F = TransferFixture

    @Test func happyPathDebitsCreditsAndNotifiesBothSides() throws {
        var saga = try F.scenario()
        try saga.debitPayer()
        #expect(try saga.lastCommand(for: "creditPayee", as: CreditPayee.self).debitId == F.debitID)
        try saga.answer("creditPayee", F.credited)
        try saga.acknowledgeNotification("notifyPayer")
        try saga.acknowledgeNotification("notifyPayee")

        #expect(saga.status == .completed)
        #expect(saga.commandTypes == ["ValidateTransfer", "DebitPayer", "CreditPayee", "SendNotification", "SendNotification"])
        #expect(try saga.notifications() == [Notice(kind: .transferSent, recipient: F.payer), Notice(kind: .transferReceived, recipient: F.payee)])
        #expect(try saga.data.debitID == text(F.debitID))
        #expect(try saga.data.creditID == text(F.creditID))
        #expect(try saga.data.refundID == nil)
        #expect(saga.compensations.isEmpty)
        #expect(saga.completedSteps == ["notifyPayerOfFailure", "validateTransfer", "debitPayer", "creditPayee", "notifyPayer", "notifyPayee"])
        #expect(saga.lifecycleKinds == [.started] + Array(repeating: .stepCompleted, count: 6) + [.completed])
    }

    @Test func refusedValidationDebitsNothingAndTellsThePayer() throws {
        var saga = try F.scenario()
        try saga.answer("validateTransfer", F.validationRefused("VPA_NOT_FOUND"))
        #expect(saga.status == .compensating)
        try saga.acknowledgeNotification("notifyPayerOfFailure")

        #expect(saga.status == .compensated)
        #expect(saga.failureReason == "step 'validateTransfer' failed: VPA_NOT_FOUND: vpa_not_found in test")
        #expect(saga.commandTypes == ["ValidateTransfer", "SendNotification"])
        #expect(saga.compensations == ["notifyPayerOfFailure"])
        #expect(try saga.notifications() == [Notice(kind: .transferFailed, recipient: F.payer, reason: "VPA_NOT_FOUND")])
        #expect(saga.lifecycleKinds.suffix(4) == [.stepFailed, .compensating, .stepCompleted, .compensated])
    }

    @Test func refusedDebitRefundsNothingAndTellsThePayer() throws {
        var saga = try F.scenario()
        try saga.answer("validateTransfer", F.validated)
        try saga.answer("debitPayer", F.debitRefused("INSUFFICIENT_FUNDS"))
        try saga.acknowledgeNotification("notifyPayerOfFailure")

        #expect(saga.status == .compensated)
        #expect(saga.failureReason == "step 'debitPayer' failed: INSUFFICIENT_FUNDS: insufficient_funds in test")
        #expect(saga.commandTypes == ["ValidateTransfer", "DebitPayer", "SendNotification"])
        #expect(saga.compensations == ["validateTransfer", "notifyPayerOfFailure"])
        #expect(try saga.notifications() == [Notice(kind: .transferFailed, recipient: F.payer, reason: "INSUFFICIENT_FUNDS")])
        #expect(try saga.data.failureCode == "INSUFFICIENT_FUNDS")
    }

    @Test func refusedCreditRefundsThePayerThenTellsThem() throws {
        var saga = try F.scenario()
        try saga.debitPayer()
        try saga.answer("creditPayee", F.creditRefused)
        let compensating = try #require(saga.lifecycle.last(where: { $0.kind == .compensating }))
        #expect(compensating.compensations == ["debitPayer", "validateTransfer", "notifyPayerOfFailure"])
        let refund = try saga.lastCommand(for: "debitPayer", as: RefundPayer.self)
        #expect(refund.debitId == F.debitID && refund.payerVpa == F.payer && refund.amount.amountMinor == 25_000)
        #expect(refund.reason.code == "CREDIT_REJECTED")
        try saga.answer("debitPayer", F.refunded)
        try saga.acknowledgeNotification("notifyPayerOfFailure")

        #expect(saga.status == .compensated)
        #expect(saga.failureReason == "step 'creditPayee' failed: CREDIT_REJECTED: credit_rejected in test")
        #expect(saga.commandTypes == ["ValidateTransfer", "DebitPayer", "CreditPayee", "RefundPayer", "SendNotification"])
        #expect(saga.compensations == ["debitPayer", "validateTransfer", "notifyPayerOfFailure"])
        #expect(try saga.notifications() == [Notice(kind: .transferRefunded, recipient: F.payer, reason: "CREDIT_REJECTED")])
        #expect(try saga.lastCommand(for: "notifyPayerOfFailure", as: SendNotification.self).parameters["refundId"] == text(F.refundID))
        #expect(try saga.data.refundID == text(F.refundID))
    }

    @Test func debitTimingOutForGoodIsRefundedAsPossiblyDoneFirst() throws {
        var saga = try F.scenario()
        try saga.answer("validateTransfer", F.validated)
        try saga.timeOut("debitPayer")
        try saga.retryAfterBackoff("debitPayer")
        try saga.timeOut("debitPayer")
        try saga.retryAfterBackoff("debitPayer")
        try saga.timeOut("debitPayer")

        #expect(saga.status == .compensating)
        #expect(saga.state.uncertainStep == 2)
        #expect(saga.commands(for: "debitPayer", phase: .forward).map(\.attempt) == [1, 2, 3])
        let keys = Set(saga.commands(for: "debitPayer", phase: .forward).map { $0.message.headers.string(SagaHeaders.idempotencyKey) })
        #expect(keys.count == 1)
        #expect(try saga.lastCommand(for: "debitPayer", as: RefundPayer.self).debitId == nil)
        #expect(saga.attempts.last?.compensatesUncertainStep == true)
        try saga.answer("debitPayer", F.nothingToRefund)
        try saga.acknowledgeNotification("notifyPayerOfFailure")

        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["debitPayer", "validateTransfer", "notifyPayerOfFailure"])
        #expect(try saga.notifications() == [Notice(kind: .transferFailed, recipient: F.payer, reason: "TIMEOUT")])
        #expect(saga.failureReason?.hasPrefix("step 'debitPayer' failed: no reply within") == true)
        #expect(saga.failureReason?.hasSuffix("(after 3 attempts); its outcome is uncertain, so it is compensated too") == true)
    }

    @Test func retriableDebitIsSentAgainAfterItsBackoffAndSucceeds() throws {
        var saga = try F.scenario()
        try saga.answer("validateTransfer", F.validated)
        let failedAt = saga.now
        try saga.answer("debitPayer", F.debitUnavailable)
        let failed = try #require(saga.lifecycle.last)
        #expect(failed.kind == .stepFailed && failed.willRetry && failed.retryAt == failedAt.addingTimeInterval(1))
        try saga.advance(by: .seconds(1))
        #expect(saga.commands(for: "debitPayer").map(\.attempt) == [1, 2])
        try saga.answer("debitPayer", F.debited)
        try saga.answer("creditPayee", F.credited)
        try saga.acknowledgeNotification("notifyPayer")
        try saga.acknowledgeNotification("notifyPayee")

        #expect(saga.status == .completed)
        #expect(saga.attempts.filter { $0.stepName == "debitPayer" }.map(\.outcome) == [.retriableFailure, .succeeded])
        #expect(try saga.data.debitID == text(F.debitID))
    }

    @Test func debitOutOfRetriesIsRefundedAsPossiblyDone() throws {
        var saga = try F.scenario()
        try saga.answer("validateTransfer", F.validated)
        for _ in 1...2 {
            try saga.answer("debitPayer", F.debitUnavailable)
            try saga.retryAfterBackoff("debitPayer")
        }
        try saga.answer("debitPayer", F.debitUnavailable)

        #expect(saga.status == .compensating)
        #expect(saga.failureReason == "step 'debitPayer' failed: LEDGER_BUSY: ledger_busy in test (after 3 attempts); "
            + "its outcome is uncertain, so it is compensated too")
        #expect(saga.commandTypes == ["ValidateTransfer", "DebitPayer", "DebitPayer", "DebitPayer", "RefundPayer"])
        try saga.answer("debitPayer", F.nothingToRefund)
        try saga.acknowledgeNotification("notifyPayerOfFailure")
        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["debitPayer", "validateTransfer", "notifyPayerOfFailure"])
        #expect(try saga.notifications() == [Notice(kind: .transferFailed, recipient: F.payer, reason: "UNAVAILABLE")])
    }
}
