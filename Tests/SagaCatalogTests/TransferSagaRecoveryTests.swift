import Foundation
import SagaCatalog
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit
import Testing

/// The transfer saga parked, operated on, redelivered to and restarted (SagaTestKit).
@Suite struct TransferSagaRecoveryTests {
    typealias F = TransferFixture

    /// Credit refused, then the refund fails transiently until its retries run out.
    func parkedOnRefund() throws -> SagaScenario<TransferSagaData> {
        var saga = try F.scenario()
        try saga.debitPayer()
        try saga.answer("creditPayee", F.creditRefused)
        try saga.answer("debitPayer", F.refundUnavailable)
        try saga.retryAfterBackoff("debitPayer")
        try saga.answer("debitPayer", F.refundUnavailable)
        return saga
    }

    @Test func refundFailingForGoodParksTheTransfer() throws {
        let saga = try parkedOnRefund()
        #expect(saga.status == .failed)
        #expect(saga.failureReason == "compensation of step 'debitPayer' failed: LEDGER_BUSY: ledger_busy in test (after 2 attempts)")
        #expect(saga.state.deadline == nil && saga.state.phase == .compensation)
        #expect(saga.lifecycleKinds.last == .failed)
        #expect(try saga.notifications().isEmpty)
    }

    @Test func operatorRetryOfTheParkedRefundFinishesTheCompensation() throws {
        var saga = try parkedOnRefund()
        try saga.retry()
        #expect(saga.status == .compensating)
        #expect(saga.commands(for: "debitPayer", phase: .compensation).map(\.attempt) == [1, 2, 1])
        try saga.answer("debitPayer", F.refunded)
        try saga.acknowledgeNotification("notifyPayerOfFailure")

        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["debitPayer", "validateTransfer", "notifyPayerOfFailure"])
        // The refund's transient failures do not replace why the transfer failed.
        #expect(try saga.notifications() == [Notice(kind: .transferRefunded, recipient: F.payer, reason: "CREDIT_REJECTED")])
    }

    @Test func operatorResolveOfTheParkedRefundGoesOnWithoutARefundID() throws {
        var saga = try parkedOnRefund()
        try saga.resolve(note: "refunded at the branch")
        try saga.acknowledgeNotification("notifyPayerOfFailure")

        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["debitPayer", "validateTransfer", "notifyPayerOfFailure"])
        let resolved = try #require(saga.attempts.last { $0.stepName == "debitPayer" })
        #expect(resolved.outcome == .manuallyResolved && resolved.error == "refunded at the branch")
        // Resolved by hand, the saga has no refund id: the payer is told the transfer failed.
        #expect(try saga.notifications() == [Notice(kind: .transferFailed, recipient: F.payer, reason: "CREDIT_REJECTED")])
    }

    /// The credit (the pivot) times out on every attempt.
    func parkedOnCredit() throws -> SagaScenario<TransferSagaData> {
        var saga = try F.scenario()
        try saga.debitPayer()
        try saga.advance(by: .seconds(1 + 1 + 1 + 2 + 1))
        return saga
    }

    @Test func creditWithAnUncertainOutcomeParksWithoutRefunding() throws {
        let saga = try parkedOnCredit()
        #expect(saga.status == .failed)
        #expect(saga.failureReason?.hasPrefix("pivot step 'creditPayee' has an uncertain outcome: no reply within") == true)
        #expect(saga.commands(for: "creditPayee").map(\.attempt) == [1, 2, 3])
        #expect(saga.commands(for: "debitPayer", phase: .compensation).isEmpty)
    }

    @Test func operatorRetryOfTheUncertainCreditCompletesTheTransfer() throws {
        var saga = try parkedOnCredit()
        try saga.retry()
        try saga.answer("creditPayee", F.credited)
        try saga.acknowledgeNotification("notifyPayer")
        try saga.acknowledgeNotification("notifyPayee")
        #expect(saga.status == .completed)
        #expect(saga.commands(for: "creditPayee").map(\.attempt) == [1, 2, 3, 1])
        #expect(try saga.data.creditID == text(F.creditID))
    }

    @Test func operatorResolveOfTheUncertainCreditNotifiesBothSides() throws {
        var saga = try parkedOnCredit()
        try saga.resolve(note: "credit found in the payee's ledger")
        try saga.acknowledgeNotification("notifyPayer")
        try saga.acknowledgeNotification("notifyPayee")
        #expect(saga.status == .completed)
        #expect(try saga.notifications() == [Notice(kind: .transferSent, recipient: F.payer), Notice(kind: .transferReceived, recipient: F.payee)])
        #expect(try saga.data.creditID == nil)
    }

    @Test func notificationRefusedAfterThePivotParksAndResolveGoesOn() throws {
        var saga = try F.scenario()
        try saga.debitPayer()
        try saga.answer("creditPayee", F.credited)
        try saga.reply(to: "notifyPayer", with: .businessFailure(reason: "RECIPIENT_UNKNOWN: no device"))
        #expect(saga.status == .failed)
        #expect(saga.failureReason == "step 'notifyPayer' after the pivot failed: RECIPIENT_UNKNOWN: no device")
        try saga.resolve(note: "payer told by phone")
        try saga.acknowledgeNotification("notifyPayee")
        #expect(saga.status == .completed)
        #expect(saga.compensations.isEmpty)
    }

    @Test func redeliveredRepliesAreIgnored() throws {
        var saga = try F.scenario()
        try saga.answer("validateTransfer", F.validated)
        #expect(try saga.redeliverLastReply().ignored == .lateReply)
        try saga.answer("debitPayer", F.debited)
        let state = saga.state
        let again = try saga.redeliverLastReply()
        #expect(again.ignored == .lateReply && again.commands.isEmpty)
        #expect(saga.state == state)
        #expect(saga.commands(for: "creditPayee").count == 1)
        #expect(saga.lateReplies.count == 2)
        #expect(saga.commandTypes == ["ValidateTransfer", "DebitPayer", "CreditPayee"])
    }

    @Test func replyToATimedOutCreditAttemptIsIgnored() throws {
        var saga = try F.scenario()
        try saga.debitPayer()
        try saga.timeOut("creditPayee")
        let late = try saga.answer("creditPayee", F.credited)  // answers attempt 1, which timed out
        #expect(late.ignored == .lateReply)
        #expect(try saga.data.creditID == nil)
        try saga.retryAfterBackoff("creditPayee")
        try saga.answer("creditPayee", F.credited)
        #expect(saga.pendingStep == "notifyPayer")
        #expect(saga.attempts.first { $0.stepName == "creditPayee" }?.lateReply?.status == .succeeded)
    }

    @Test func restartedOrchestratorContinuesFromTheStoredState() throws {
        var saga = try F.scenario()
        try saga.debitPayer()
        try saga.answer("creditPayee", F.creditRefused)
        try saga.answer("debitPayer", F.refundUnavailable)  // a backoff timer is set
        var restarted = try saga.restarted(definition: TransferSaga.definition(timeout: .seconds(1),
            retry: .exponential(maxAttempts: 3, initial: .seconds(1), jitter: 0),
            afterPivotRetry: .exponential(maxAttempts: 2, initial: .seconds(1), jitter: 0)))
        try restarted.advance(by: .seconds(1))  // the stored timer fires after the restart
        try restarted.answer("debitPayer", F.refunded)
        try restarted.acknowledgeNotification("notifyPayerOfFailure")
        #expect(restarted.status == .compensated)
        #expect(try restarted.notifications().map(\.kind) == [.transferRefunded])
    }
}
