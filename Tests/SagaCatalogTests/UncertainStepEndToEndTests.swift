import AccountService
import Foundation
import GRDB
import InventoryService
import OrderService
import SagaContracts
import SagaCore
import SagaServicesTestSupport
import SagaCatalog
import ServiceKit
import Testing

/// A step whose replies never say "done" although its command may have taken effect, through the
/// real broker with every service running. The account and inventory handlers are wrapped: for
/// one payer (one product) the real handler runs and commits, then the reply says "retry" (the
/// effect happened, the saga cannot know it); for another the reply says "retry" and nothing
/// happens. Either way the step's retries run out, its outcome is uncertain, and the saga
/// undoes it as possibly done: money and stock end where they started.
@Suite(.timeLimit(.minutes(3)))
struct UncertainStepEndToEndTests {
    @Test func aDebitWhoseRepliesAreLostIsRefunded() async throws {
        let lossy = "lossy@okbank", ghost = "ghost@okbank", payee = "bob@upibank"
        let world = try await SagaServicesWorld(accountHandler: { command, db in
            guard command.messageType == DebitPayer.messageType else { return try AccountService.handle(command, db) }
            switch try command.decode(DebitPayer.self).payerVpa {
            case lossy:
                _ = try AccountService.handle(command, db) // the debit is committed…
                return .retriableFailure(reason: "debit reply lost") // …but the saga is told to try again
            case ghost: return .retriableFailure(reason: "core banking unreachable") // nothing happens
            default: return try AccountService.handle(command, db)
            }
        })
        let accounts = world.accounts
        for vpa in [lossy, ghost, payee] { try await accounts.open(vpa: vpa, holder: vpa) }
        try await accounts.deposit(vpa: lossy, amountMinor: 10_000)
        try await accounts.deposit(vpa: ghost, amountMinor: 10_000)
        let before = try await accounts.totals()

        let debited = UUID(), neverDebited = UUID()
        try await world.requestTransfer(debited, from: lossy, to: payee, amountMinor: 4_000)
        try await world.requestTransfer(neverDebited, from: ghost, to: payee, amountMinor: 4_000)

        // Debited, never confirmed: refunded; the payer is told of the refund.
        let debitedState = try await world.waitForEnd(of: debited)
        #expect(debitedState.status == .compensated)
        #expect(debitedState.failureReason?.contains("its outcome is uncertain, so it is compensated too") == true)
        #expect(try await accounts.postings(transferID: debited).map(\.kind).sorted() == ["DEBIT", "REFUND"])
        let refundNotices = try await world.deliveredNotifications(about: debited, count: 1)
        #expect(refundNotices.map(\.notification.kind) == ["TRANSFER_REFUNDED"])
        #expect(refundNotices.first?.notification.parameters["reason"] == "UNAVAILABLE")
        let compensations = try await world.orchestratorStore.history(sagaID: text(debited)).filter { $0.phase == .compensation }
        #expect(compensations.first?.stepName == "debitPayer" && compensations.first?.compensatesUncertainStep == true)
        #expect(compensations.filter(\.compensatesUncertainStep).count == 1)

        // Never debited: the refund moves nothing; the payer is told the transfer failed, and a
        // debit arriving late is refused.
        #expect(try await world.waitForEnd(of: neverDebited).status == .compensated)
        #expect(try await accounts.postings(transferID: neverDebited).isEmpty)
        let failedNotices = try await world.deliveredNotifications(about: neverDebited, count: 1)
        #expect(failedNotices.map(\.notification.kind) == ["TRANSFER_FAILED"])
        let late = try await accounts.store.write("test") { db in
            try AccountStore.debit(transferID: text(neverDebited), payer: ghost, amountMinor: 4_000, currency: "INR", in: db)
        }
        #expect(late.failure?.code == "ALREADY_REFUNDED")

        // Balances restored, nothing in clearing, the total unchanged.
        #expect(try await accounts.account(lossy)?.balanceMinor == 10_000)
        #expect(try await accounts.account(ghost)?.balanceMinor == 10_000)
        #expect(try await accounts.account(payee)?.balanceMinor == 0)
        let after = try await accounts.totals()
        #expect(after.balances == before.balances && after.clearing == 0 && after.netDeposits == before.netDeposits)
        await world.stop()
    }

    @Test func aReservationWhoseRepliesAreLostIsReleased() async throws {
        let lossy = UUID(), ghost = UUID()
        let world = try await SagaServicesWorld(inventoryHandler: { command, db in
            guard command.messageType == ReserveStock.messageType else { return try InventoryService.handle(command, db) }
            let products = Set(try command.decode(ReserveStock.self).items.map(\.productId))
            if products.contains(lossy) {
                _ = try InventoryService.handle(command, db) // the stock is reserved…
                return .retriableFailure(reason: "reservation reply lost") // …but the saga is told to try again
            }
            if products.contains(ghost) { return .retriableFailure(reason: "warehouse unreachable") } // nothing happens
            return try InventoryService.handle(command, db)
        })
        try await world.inventory.addStock(productID: lossy, sku: "LOSSY", units: 5)
        try await world.inventory.addStock(productID: ghost, sku: "GHOST", units: 5)
        let customer = UUID(), reserved = UUID(), neverReserved = UUID()
        #expect(try await world.orders.placeOrder(orderID: reserved, customerID: customer,
            lines: [OrderLine(productID: lossy, sku: "LOSSY", quantity: 2, unitPriceMinor: 1_000)], currency: "INR",
            paymentToken: "tok_visa") == .placed)
        #expect(try await world.orders.placeOrder(orderID: neverReserved, customerID: customer,
            lines: [OrderLine(productID: ghost, sku: "GHOST", quantity: 2, unitPriceMinor: 1_000)], currency: "INR",
            paymentToken: "tok_visa") == .placed)

        for (order, product) in [(reserved, lossy), (neverReserved, ghost)] {
            let state = try await world.waitForEnd(of: order)
            #expect(state.status == .compensated)
            #expect(try await world.inventory.available(product) == 5) // stock restored (or never taken)
            #expect(try await world.inventory.reservation(orderID: order)?.status == "RELEASED")
            #expect(try await world.payments.payment(orderID: order) == nil) // the pivot never ran
            #expect(try await world.orders.order(order)?.status == "CANCELLED")
            #expect(try await world.orders.order(order)?.cancelCode == "UNAVAILABLE")
            let notices = try await world.deliveredNotifications(about: order, count: 1)
            #expect(notices.map(\.notification.kind) == ["ORDER_CANCELLED"])
            let compensations = try await world.orchestratorStore.history(sagaID: text(order)).filter { $0.phase == .compensation }
            #expect(compensations.first?.stepName == "reserveStock" && compensations.first?.compensatesUncertainStep == true)
        }
        // The reservation that was taken is given back; the one never taken is a tombstone that
        // refuses a late reserve.
        #expect(try await world.inventory.reservation(orderID: reserved)?.lines.map(\.quantity) == [2])
        #expect(try await world.inventory.reservation(orderID: neverReserved)?.lines.isEmpty == true)
        await world.stop()
    }
}
