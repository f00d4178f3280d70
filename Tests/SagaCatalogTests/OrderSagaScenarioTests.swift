import Foundation
import SagaCatalog
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit
import Testing

/// Every path of the order saga on the pure state machine (SagaTestKit): no broker, no database.
@Suite struct OrderSagaScenarioTests {
    typealias F = OrderFixture

    @Test func happyPathReservesChargesConfirmsAndNotifies() throws {
        var saga = try F.scenario()
        #expect(try saga.lastCommand(for: "reserveStock", as: ReserveStock.self).items.map(\.quantity) == [2])
        try saga.answer("reserveStock", F.reserved)
        #expect(try saga.lastCommand(for: "authorizePayment", as: AuthorizePayment.self).amount == Money(amountMinor: 3_000, currency: "INR"))
        try saga.answer("authorizePayment", F.authorized)
        let confirm = try saga.lastCommand(for: "confirmOrder", as: ConfirmOrder.self)
        #expect(confirm.reservationId == F.reservationID && confirm.authorizationId == F.authorizationID)
        try saga.answer("confirmOrder", F.confirmed)
        try saga.acknowledgeNotification("notifyCustomer")

        #expect(saga.status == .completed)
        #expect(saga.commandTypes == ["ReserveStock", "AuthorizePayment", "ConfirmOrder", "SendNotification"])
        #expect(try saga.notifications() == [Notice(kind: .orderConfirmed, recipient: F.customer)])
        #expect(try saga.data.reservationID == text(F.reservationID))
        #expect(try saga.data.authorizationID == text(F.authorizationID))
        #expect(saga.compensations.isEmpty)
        #expect(saga.lifecycleKinds == [.started] + Array(repeating: .stepCompleted, count: 6) + [.completed])
    }

    @Test func outOfStockCancelsTheOrderAndTellsTheCustomer() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.outOfStock)
        #expect(try saga.lastCommand(for: "cancelOrder", as: CancelOrder.self).reason.code == "OUT_OF_STOCK")
        try saga.finishCancellation()

        #expect(saga.status == .compensated)
        #expect(saga.failureReason == "step 'reserveStock' failed: OUT_OF_STOCK: out_of_stock in test")
        #expect(saga.commandTypes == ["ReserveStock", "CancelOrder", "SendNotification"])
        #expect(saga.compensations == ["cancelOrder", "notifyCancelled"])
        #expect(try saga.notifications() == [Notice(kind: .orderCancelled, recipient: F.customer, reason: "OUT_OF_STOCK")])
    }

    @Test func declinedPaymentReleasesTheStockThenCancels() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.reserved)
        try saga.answer("authorizePayment", F.declined)
        #expect(try saga.lastCommand(for: "reserveStock", as: ReleaseStock.self).reservationId == F.reservationID)
        try saga.finishCancellation()

        #expect(saga.status == .compensated)
        #expect(saga.failureReason == "step 'authorizePayment' failed: PAYMENT_DECLINED: payment_declined in test")
        #expect(saga.commandTypes == ["ReserveStock", "AuthorizePayment", "ReleaseStock", "CancelOrder", "SendNotification"])
        #expect(saga.compensations == ["reserveStock", "cancelOrder", "notifyCancelled"])
        #expect(try saga.notifications() == [Notice(kind: .orderCancelled, recipient: F.customer, reason: "PAYMENT_DECLINED")])
        #expect(saga.lifecycleKinds.suffix(6) == [.stepFailed, .compensating, .stepCompleted, .stepCompleted, .stepCompleted, .compensated])
    }

    @Test func reservationTimingOutForGoodIsReleasedAsPossiblyMadeFirst() throws {
        var saga = try F.scenario()
        try saga.advance(by: .seconds(1 + 1 + 1 + 2 + 1))
        #expect(saga.status == .compensating)
        #expect(saga.commands(for: "reserveStock", phase: .forward).map(\.attempt) == [1, 2, 3])
        #expect(try saga.lastCommand(for: "reserveStock", as: ReleaseStock.self).reservationId == nil)
        #expect(saga.attempts.last?.compensatesUncertainStep == true)
        try saga.finishCancellation()

        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["reserveStock", "cancelOrder", "notifyCancelled"])
        #expect(try saga.notifications() == [Notice(kind: .orderCancelled, recipient: F.customer, reason: "TIMEOUT")])
        #expect(saga.commands(for: "authorizePayment").isEmpty)
    }

    @Test func busyInventoryIsAskedAgainAndTheOrderCompletes() throws {
        var saga = try F.scenario()
        try saga.answer("reserveStock", F.inventoryBusy)
        try saga.retryAfterBackoff("reserveStock")
        try saga.answer("reserveStock", F.reserved)
        try saga.answer("authorizePayment", F.authorized)
        try saga.answer("confirmOrder", F.confirmed)
        try saga.acknowledgeNotification("notifyCustomer")
        #expect(saga.status == .completed)
        #expect(saga.attempts.filter { $0.stepName == "reserveStock" }.map(\.outcome) == [.retriableFailure, .succeeded])
    }

    @Test func inventoryBusyUntilRetriesRunOutCancelsTheOrder() throws {
        var saga = try F.scenario()
        for _ in 1...2 {
            try saga.answer("reserveStock", F.inventoryBusy)
            try saga.retryAfterBackoff("reserveStock")
        }
        try saga.answer("reserveStock", F.inventoryBusy)
        #expect(saga.status == .compensating)
        #expect(saga.state.uncertainStep == 2)
        try saga.finishCancellation()
        #expect(saga.status == .compensated)
        #expect(saga.commandTypes == ["ReserveStock", "ReserveStock", "ReserveStock", "ReleaseStock", "CancelOrder", "SendNotification"])
        #expect(try saga.notifications() == [Notice(kind: .orderCancelled, recipient: F.customer, reason: "UNAVAILABLE")])
    }
}
