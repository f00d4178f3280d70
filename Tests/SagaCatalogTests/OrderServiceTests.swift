import SagaTestSupport
import Foundation
import GRDB
import OrderService
import SagaContracts
import SagaCore
import SagaAvro
import SagaServicesTestSupport
import ServiceKit
import Testing

/// The order service against its real SQLite store: orders and their start events commit together.
@Suite struct OrderServiceTests {
    let directory: TemporaryDirectory
    let service: OrderService
    let line = OrderLine(productID: UUID(), sku: "SKU-1", quantity: 2, unitPriceMinor: 450)

    init() async throws {
        directory = try TemporaryDirectory()
        service = try await OrderService(path: directory.file("orders.sqlite"), orderPlacedTopic: "x.order.placed")
    }

    @Test func placeOrderStoresAPendingOrderAndExactlyOneEvent() async throws {
        let id = UUID(), customer = UUID()
        #expect(try await service.placeOrder(orderID: id, customerID: customer, lines: [line], currency: "INR", paymentToken: "tok") == .placed)
        #expect(try await service.placeOrder(orderID: id, customerID: customer, lines: [line], currency: "INR", paymentToken: "tok") == .alreadyPlaced)
        let order = try #require(try await service.order(id))
        #expect(order.status == "PENDING" && order.totalMinor == 900 && order.lines == [line] && order.customerID == customer)
        let outbox = try await service.store.pendingOutbox(limit: 10)
        #expect(outbox.count == 1)
        let message = try #require(outbox.first?.message)
        #expect(message.topic == "x.order.placed" && message.key == Array(text(id).utf8))
        #expect(message.headers.string(SagaHeaders.messageType) == OrderPlaced.messageType)
        #expect(message.headers.string(SagaHeaders.sagaID) == text(id))
        let event = try OrderPlaced.decodePayload(message.value)
        #expect(event.orderId == id && event.customerId == customer && event.items.count == 1 && event.currency == "INR")
        #expect(message.headers.string(SagaHeaders.messageID) == text(event.metadata.messageId))
    }

    @Test func invalidOrdersAreRefusedAndWriteNothing() async throws {
        let customer = UUID()
        let bad: [([OrderLine], String)] = [
            ([], "INR"),
            ([OrderLine(productID: UUID(), sku: "S", quantity: 0, unitPriceMinor: 1)], "INR"),
            ([OrderLine(productID: UUID(), sku: "S", quantity: 1, unitPriceMinor: -1)], "INR"),
            ([line], "rupees"),
        ]
        for (lines, currency) in bad {
            await #expect(throws: DomainError.self) {
                try await service.placeOrder(customerID: customer, lines: lines, currency: currency, paymentToken: "tok")
            }
        }
        #expect(try await service.store.pendingOutbox(limit: 10).isEmpty)
    }

    @Test func ordersAreConfirmedOrCancelledOnce() async throws {
        let confirmed = UUID(), cancelled = UUID()
        for id in [confirmed, cancelled] {
            _ = try await service.placeOrder(orderID: id, customerID: UUID(), lines: [line], currency: "INR", paymentToken: "tok")
        }
        let results = try await service.store.write("test") { db in
            [try OrderStore.confirm(orderID: text(confirmed), reservationID: "r", authorizationID: "a", in: db),
             try OrderStore.confirm(orderID: text(confirmed), reservationID: "r", authorizationID: "a", in: db),
             try OrderStore.cancel(orderID: text(confirmed), code: "X", message: "x", in: db),
             try OrderStore.cancel(orderID: text(cancelled), code: "OUT_OF_STOCK", message: "none left", in: db),
             try OrderStore.cancel(orderID: text(cancelled), code: "OUT_OF_STOCK", message: "none left", in: db),
             try OrderStore.confirm(orderID: text(cancelled), reservationID: "r", authorizationID: "a", in: db),
             try OrderStore.cancel(orderID: text(UUID()), code: "X", message: "x", in: db)]
        }
        #expect(results.map { $0.failure?.code } == [nil, nil, "ORDER_CONFIRMED", nil, nil, "ORDER_CANCELLED", nil])
        #expect(try await service.order(confirmed)?.status == "CONFIRMED")
        #expect(try await service.order(cancelled)?.status == "CANCELLED")
        #expect(try await service.order(cancelled)?.cancelCode == "OUT_OF_STOCK")
    }
}
