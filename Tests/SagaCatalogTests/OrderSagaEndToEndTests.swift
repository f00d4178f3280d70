import Foundation
import InventoryService
import Kafka
import OrderService
import PaymentService
import SagaContracts
import SagaCore
import SagaAvro
import SagaServicesTestSupport
import SagaTestSupport
import SagaCatalog
import ServiceKit
import Testing

/// The order saga through the real broker, with the orchestrator and every service running:
/// each path is checked in the services' own stores and in the saga's final state.
@Suite(.timeLimit(.minutes(3)))
struct OrderSagaEndToEndTests {
    @Test func everyPathOfTheOrderSagaEndsConsistentlyInEveryService() async throws {
        let world = try await SagaServicesWorld()
        let widget = UUID(), gadget = UUID()
        try await world.inventory.addStock(productID: widget, sku: "WIDGET", units: 10)
        try await world.inventory.addStock(productID: gadget, sku: "GADGET", units: 1)
        let customer = UUID()
        let lines = [OrderLine(productID: widget, sku: "WIDGET", quantity: 2, unitPriceMinor: 1_250),
                     OrderLine(productID: gadget, sku: "GADGET", quantity: 1, unitPriceMinor: 9_900)]

        let ok = UUID(), outOfStock = UUID(), declined = UUID()
        #expect(try await world.orders.placeOrder(orderID: ok, customerID: customer, lines: lines, currency: "INR",
            paymentToken: "tok_visa") == .placed)
        // Wants 3 gadgets of the 1 left (the first order may hold it): refused whatever the order of the sagas.
        #expect(try await world.orders.placeOrder(orderID: outOfStock, customerID: customer,
            lines: [OrderLine(productID: gadget, sku: "GADGET", quantity: 3, unitPriceMinor: 9_900)], currency: "INR",
            paymentToken: "tok_visa") == .placed)
        #expect(try await world.orders.placeOrder(orderID: declined, customerID: customer,
            lines: [OrderLine(productID: widget, sku: "WIDGET", quantity: 3, unitPriceMinor: 1_000)], currency: "INR",
            paymentToken: PaymentSimulator.declineToken) == .placed)
        // Placing the same order again writes no second event.
        #expect(try await world.orders.placeOrder(orderID: ok, customerID: customer, lines: lines, currency: "INR",
            paymentToken: "tok_visa") == .alreadyPlaced)

        // Success: reserved, authorized, confirmed, notified.
        let okState = try await world.waitForEnd(of: ok)
        #expect(okState.status == .completed)
        let okOrder = try #require(try await world.orders.order(ok))
        #expect(okOrder.status == "CONFIRMED")
        let okReservation = try #require(try await world.inventory.reservation(orderID: ok))
        #expect(okReservation.status == "RESERVED" && okOrder.reservationID == okReservation.reservationID)
        let okPayment = try #require(try await world.payments.payment(orderID: ok))
        #expect(okPayment.status == "AUTHORIZED" && okPayment.amountMinor == 2 * 1_250 + 9_900)
        #expect(okOrder.authorizationID == okPayment.authorizationID)
        let okNotices = try await world.deliveredNotifications(about: ok, count: 1)
        #expect(okNotices.map(\.notification.kind) == ["ORDER_CONFIRMED"])
        #expect(okNotices.first?.notification.recipient == text(customer))

        // Out of stock: nothing reserved, no payment, order cancelled, customer told why.
        let oosState = try await world.waitForEnd(of: outOfStock)
        #expect(oosState.status == .compensated)
        #expect(try await world.orders.order(outOfStock)?.status == "CANCELLED")
        #expect(try await world.orders.order(outOfStock)?.cancelCode == "OUT_OF_STOCK")
        #expect(try await world.inventory.reservation(orderID: outOfStock) == nil)
        #expect(try await world.payments.payment(orderID: outOfStock) == nil)
        let oosNotices = try await world.deliveredNotifications(about: outOfStock, count: 1)
        #expect(oosNotices.map(\.notification.kind) == ["ORDER_CANCELLED"])
        #expect(oosNotices.first?.notification.parameters["reason"] == "OUT_OF_STOCK")

        // Payment declined: stock released, payment recorded as declined, order cancelled, customer told.
        let declinedState = try await world.waitForEnd(of: declined)
        #expect(declinedState.status == .compensated)
        #expect(try await world.inventory.reservation(orderID: declined)?.status == "RELEASED")
        #expect(try await world.payments.payment(orderID: declined)?.status == "DECLINED")
        #expect(try await world.orders.order(declined)?.cancelCode == "PAYMENT_DECLINED")
        let declinedNotices = try await world.deliveredNotifications(about: declined, count: 1)
        #expect(declinedNotices.map(\.notification.kind) == ["ORDER_CANCELLED"])
        #expect(declinedNotices.first?.notification.parameters["reason"] == "PAYMENT_DECLINED")

        // Stock: only the successful order's units are gone.
        #expect(try await world.inventory.available(widget) == 8)
        #expect(try await world.inventory.available(gadget) == 0)

        // Lifecycle events on saga.events, as the contracts' Avro records: one terminal event per saga.
        let terminal: Set<String> = [SagaCompleted.messageType, SagaCompensated.messageType]
        let events = try await world.consume(world.topics.events) { seen in
            seen.filter { terminal.contains($0.headers.string(SagaHeaders.messageType) ?? "") }.count >= 3
        }
        let ends = Dictionary(grouping: events.filter { terminal.contains($0.headers.string(SagaHeaders.messageType) ?? "") }) {
            String(decoding: $0.key, as: UTF8.self)
        }.mapValues { $0.compactMap { $0.headers.string(SagaHeaders.messageType) } }
        #expect(ends == [text(ok): [SagaCompleted.messageType], text(outOfStock): [SagaCompensated.messageType],
                         text(declined): [SagaCompensated.messageType]])
        let compensated = try #require(events.first {
            $0.key == Array(text(declined).utf8) && $0.headers.string(SagaHeaders.messageType) == SagaCompensated.messageType
        })
        #expect(try SagaCompensated.decodePayload(compensated.value).metadata.sagaId == declined)

        // A duplicate start of the finished saga (same order id, new message id) has no second effect.
        let resend = UUID()
        let order = try #require(try await world.orders.order(ok))
        let event = OrderPlaced(
            metadata: MessageMetadata(messageId: resend, sagaId: ok, causationId: nil, occurredAt: Date(), source: "test",
                traceParent: nil, replyTo: nil),
            orderId: ok, customerId: customer,
            items: order.lines.map { OrderItem(productId: $0.productID, sku: $0.sku, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor) },
            currency: "INR", paymentToken: "tok_visa"
        )
        _ = try await world.producer.send(KafkaMessage(try StartEvent.message(event, topic: world.topics.orderPlaced)))
        try await eventually("the duplicate start to be processed") { try await world.orchestratorProcessed(messageID: resend) }
        #expect(try await world.orchestratorStore.load(sagaID: text(ok))?.version == okState.version)
        #expect(try await world.inventory.available(widget) == 8)
        #expect(try await world.payments.payments().count == 2)
        #expect(try await world.notifications.notifications(about: ok).count == 1)
        await world.stop()
    }
}
