import Foundation
import SagaCatalog
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit

/// An order of two keyboards at ₹1,500 each, and the participants' contract replies to it.
enum OrderFixture {
    static let orderID = fixedUUID(0x02)
    static let customerID = fixedUUID(0xcc)
    static let productID = fixedUUID(0x9d)
    static let reservationID = fixedUUID(0xa5)
    static let authorizationID = fixedUUID(0xa7)

    static var data: OrderSagaData {
        OrderSagaData(OrderPlaced(
            metadata: MessageMetadata(messageId: UUID(), sagaId: orderID, causationId: nil, occurredAt: Date(timeIntervalSince1970: 0),
                source: "test", traceParent: nil, replyTo: nil),
            orderId: orderID, customerId: customerID,
            items: [OrderItem(productId: productID, sku: "KBD-001", quantity: 2, unitPriceMinor: 1_500)],
            currency: "INR", paymentToken: "tok_visa"
        ))
    }

    /// The order saga as shipped, with 1 s timeouts and retry policies small enough to run out.
    static func scenario() throws -> SagaScenario<OrderSagaData> {
        try SagaScenario(
            OrderSaga.definition(timeout: .seconds(1), retry: .exponential(maxAttempts: 3, initial: .seconds(1), jitter: 0),
                afterPivotRetry: .exponential(maxAttempts: 2, initial: .seconds(1), jitter: 0)),
            data: data, sagaID: text(orderID)
        )
    }

    static var customer: String { text(customerID) }

    static func refused(_ code: String) -> Failure { Failure(code: code, message: "\(code.lowercased()) in test") }

    static func reserved(_ m: MessageMetadata) -> ReserveStockReply {
        ReserveStockReply(metadata: m, orderId: orderID, outcome: .succeeded, failure: nil, reservationId: reservationID)
    }
    static func outOfStock(_ m: MessageMetadata) -> ReserveStockReply {
        ReserveStockReply(metadata: m, orderId: orderID, outcome: .businessFailure, failure: refused("OUT_OF_STOCK"), reservationId: nil)
    }
    static func inventoryBusy(_ m: MessageMetadata) -> ReserveStockReply {
        ReserveStockReply(metadata: m, orderId: orderID, outcome: .retriableFailure, failure: refused("INVENTORY_BUSY"), reservationId: nil)
    }
    static func released(_ m: MessageMetadata) -> ReleaseStockReply {
        ReleaseStockReply(metadata: m, orderId: orderID, outcome: .succeeded, failure: nil)
    }
    static func releaseBusy(_ m: MessageMetadata) -> ReleaseStockReply {
        ReleaseStockReply(metadata: m, orderId: orderID, outcome: .retriableFailure, failure: refused("INVENTORY_BUSY"))
    }
    static func authorized(_ m: MessageMetadata) -> AuthorizePaymentReply {
        AuthorizePaymentReply(metadata: m, orderId: orderID, outcome: .succeeded, failure: nil, authorizationId: authorizationID)
    }
    static func declined(_ m: MessageMetadata) -> AuthorizePaymentReply {
        AuthorizePaymentReply(metadata: m, orderId: orderID, outcome: .businessFailure, failure: refused("PAYMENT_DECLINED"), authorizationId: nil)
    }
    static func confirmed(_ m: MessageMetadata) -> ConfirmOrderReply {
        ConfirmOrderReply(metadata: m, orderId: orderID, outcome: .succeeded, failure: nil)
    }
    static func confirmRefused(_ m: MessageMetadata) -> ConfirmOrderReply {
        ConfirmOrderReply(metadata: m, orderId: orderID, outcome: .businessFailure, failure: refused("ORDER_NOT_FOUND"))
    }
    static func cancelled(_ m: MessageMetadata) -> CancelOrderReply {
        CancelOrderReply(metadata: m, orderId: orderID, outcome: .succeeded, failure: nil)
    }
}

extension SagaScenario<OrderSagaData> {
    /// Releases (when asked), cancels and notifies: the compensation participants all agree.
    mutating func finishCancellation() throws {
        if pendingStep == "reserveStock" { try answer("reserveStock", OrderFixture.released) }
        try answer("cancelOrder", OrderFixture.cancelled)
        try acknowledgeNotification("notifyCancelled")
    }
}
