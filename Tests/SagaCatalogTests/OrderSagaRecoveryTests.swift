import Foundation
import SagaCatalog
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit
import Testing

/// The order saga parked, operated on, redelivered to and restarted (SagaTestKit).
@Suite struct OrderSagaRecoveryTests {
    typealias F = OrderFixture

    @Test func paymentWithAnUncertainOutcomeParksThenRetryLearnsItWasDeclined() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.reserved)
        try saga.advance(by: .seconds(1 + 1 + 1 + 2 + 1))
        #expect(saga.status == .failed)
        #expect(saga.failureReason?.hasPrefix("pivot step 'authorizePayment' has an uncertain outcome") == true)
        #expect(saga.commands(for: "reserveStock", phase: .compensation).isEmpty)

        try saga.retry()
        #expect(saga.commands(for: "authorizePayment").map(\.attempt) == [1, 2, 3, 1])
        try saga.answer("authorizePayment", F.declined)
        try saga.finishCancellation()
        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["reserveStock", "cancelOrder", "notifyCancelled"])
        #expect(try saga.notifications() == [Notice(kind: .orderCancelled, recipient: F.customer, reason: "PAYMENT_DECLINED")])
    }

    @Test func confirmationRefusedAfterThePivotParksAndRetryCompletes() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.reserved)
        try saga.answer("authorizePayment", F.authorized)
        try saga.answer("confirmOrder", F.confirmRefused)
        #expect(saga.status == .failed)
        #expect(saga.failureReason == "step 'confirmOrder' after the pivot failed: ORDER_NOT_FOUND: order_not_found in test")
        #expect(saga.commands(for: "reserveStock", phase: .compensation).isEmpty)  // never undone after the pivot

        try saga.retry()
        try saga.answer("confirmOrder", F.confirmed)
        try saga.acknowledgeNotification("notifyCustomer")
        #expect(saga.status == .completed)
        #expect(try saga.notifications() == [Notice(kind: .orderConfirmed, recipient: F.customer)])
    }

    @Test func releaseFailingForGoodParksThenResolveFinishesTheCancellation() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.reserved)
        try saga.answer("authorizePayment", F.declined)
        try saga.answer("reserveStock", F.releaseBusy)
        try saga.retryAfterBackoff("reserveStock")
        try saga.answer("reserveStock", F.releaseBusy)
        #expect(saga.status == .failed)
        #expect(saga.failureReason == "compensation of step 'reserveStock' failed: INVENTORY_BUSY: inventory_busy in test (after 2 attempts)")
        #expect(saga.commands(for: "cancelOrder").isEmpty)

        try saga.resolve(note: "released by hand")
        try saga.answer("cancelOrder", F.cancelled)
        try saga.acknowledgeNotification("notifyCancelled")
        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["reserveStock", "cancelOrder", "notifyCancelled"])
        #expect(saga.attempts.first { $0.outcome == .manuallyResolved }?.stepName == "reserveStock")
    }

    @Test func releaseFailingForGoodParksThenRetryFinishesTheCancellation() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.reserved)
        try saga.answer("authorizePayment", F.declined)
        try saga.answer("reserveStock", F.releaseBusy)
        try saga.advance(by: .seconds(1))
        try saga.answer("reserveStock", F.releaseBusy)
        try saga.retry()
        try saga.finishCancellation()
        #expect(saga.status == .compensated)
        #expect(saga.commands(for: "reserveStock", phase: .compensation).map(\.attempt) == [1, 2, 1])
    }

    @Test func redeliveredRepliesAreIgnored() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.reserved)
        let state = saga.state
        #expect(try saga.redeliverLastReply().ignored == .lateReply)
        #expect(saga.state == state)
        try saga.answer("authorizePayment", F.declined)
        let compensating = saga.state
        #expect(try saga.redeliverLastReply().ignored == .lateReply)
        #expect(saga.state == compensating)
        #expect(saga.commands(for: "reserveStock", phase: .compensation).count == 1)
        #expect(saga.lateReplies.count == 2)
    }

    @Test func restartedOrchestratorContinuesFromTheStoredState() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.reserved)
        var restarted = try saga.restarted()
        try restarted.answer("authorizePayment", F.authorized)
        try restarted.answer("confirmOrder", F.confirmed)
        try restarted.acknowledgeNotification("notifyCustomer")
        #expect(restarted.status == .completed)
        #expect(restarted.restarts == 1)
        #expect(try restarted.data.reservationID == text(F.reservationID))
    }
}
