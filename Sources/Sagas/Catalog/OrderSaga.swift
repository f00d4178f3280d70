import Foundation
import SagaContracts
import SagaCore
import SagaAvro
import ServiceKit

/// The order saga's data: the placed order and what the steps returned.
public struct OrderSagaData: JSONSagaData, Hashable {
    /// One line of the order.
    public struct Item: Codable, Sendable, Hashable {
        /// The product (UUID text).
        public var productID: String
        /// The SKU.
        public var sku: String
        /// How many.
        public var quantity: Int32
        /// The unit price in minor units.
        public var unitPriceMinor: Int64
    }

    /// The engine's type name of this payload.
    public static var messageType: String { "swiftsaga.OrderSagaData" }
    /// The order (UUID text; also the saga id).
    public var orderID: String
    /// The customer (UUID text).
    public var customerID: String
    /// The lines.
    public var items: [Item]
    /// ISO 4217.
    public var currency: String
    /// The card token.
    public var paymentToken: String
    /// From the reserveStock reply.
    public var reservationID: String?
    /// From the authorizePayment reply.
    public var authorizationID: String?
    /// See ``JSONSagaData``.
    public var failureCode: String?
    /// See ``JSONSagaData``.
    public var failureMessage: String?

    /// The saga data of a placed order.
    public init(_ event: OrderPlaced) {
        orderID = text(event.orderId)
        customerID = text(event.customerId)
        items = event.items.map { Item(productID: text($0.productId), sku: $0.sku, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor) }
        currency = event.currency
        paymentToken = event.paymentToken
    }

    /// The amount to authorize: the sum of quantity × unit price, in the order's currency.
    public var total: Money {
        Money(amountMinor: items.reduce(0) { $0 + Int64($1.quantity) * $1.unitPriceMinor }, currency: currency)
    }

    func orderItems() throws -> [OrderItem] {
        try items.map {
            OrderItem(productId: try uuid($0.productID, "product id"), sku: $0.sku, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor)
        }
    }
}

/// The order saga (`sagaType` `order`), as schemas/README.md's table says:
/// reserveStock → authorizePayment (pivot) → confirmOrder → notifyCustomer (`ORDER_CONFIRMED`).
/// Out of stock: cancelOrder, then notify (`ORDER_CANCELLED`); payment declined: releaseStock,
/// cancelOrder, notify. The cancel and the cancellation notice are compensation-only steps
/// placed first, so compensation (newest first) runs them last, whichever step failed.
public enum OrderSaga {
    /// The saga type.
    public static let sagaType = "order"
    /// The `source` of the commands' envelopes.
    public static let source = "saga-orchestrator"

    /// The definition on `topics`, with `timeout` for each reply and `retry` for each step.
    public static func definition(
        topics: SagaTopics = SagaTopics(), timeout: Duration = .seconds(10),
        retry: RetryPolicy = .exponential(maxAttempts: 3, initial: .milliseconds(200)),
        afterPivotRetry: RetryPolicy = .exponential(maxAttempts: 20, initial: .milliseconds(200), max: .seconds(30))
    ) throws -> SagaDefinition<OrderSagaData> {
        try SagaDefinition<OrderSagaData>(name: sagaType, version: 1, replyTopic: topics.orderReplies) {
            SagaStep<OrderSagaData>.onCompensation("notifyCancelled")
                .compensate(topic: topics.notificationCommands, timeout: timeout, retry: afterPivotRetry) { data, context in
                    SendNotification(
                        metadata: try .command(context, source: source), kind: .orderCancelled, recipient: data.customerID,
                        subjectId: try uuid(data.orderID, "order id"),
                        parameters: ["reason": data.failure.code, "message": data.failure.message]
                    )
                }
            SagaStep<OrderSagaData>.onCompensation("cancelOrder")
                .compensate(topic: topics.orderCommands, timeout: timeout, retry: afterPivotRetry) { data, context in
                    CancelOrder(metadata: try .command(context, source: source), orderId: try uuid(data.orderID, "order id"),
                        reason: data.failure)
                }
            SagaStep<OrderSagaData>.compensatable("reserveStock", topic: topics.inventoryCommands) { data, context in
                ReserveStock(metadata: try .command(context, source: source), orderId: try uuid(data.orderID, "order id"),
                    items: try data.orderItems())
            }
            .onReply(reading(ReserveStockReply.self) { reply, data in data.reservationID = reply.reservationId.map(text) })
            .timeout(timeout).retry(retry)
            .compensate(topic: topics.inventoryCommands, timeout: timeout, retry: afterPivotRetry) { data, context in
                ReleaseStock(metadata: try .command(context, source: source), orderId: try uuid(data.orderID, "order id"),
                    reservationId: try data.reservationID.map { try uuid($0, "reservation id") })
            }
            SagaStep<OrderSagaData>.pivot("authorizePayment", topic: topics.paymentCommands) { data, context in
                AuthorizePayment(metadata: try .command(context, source: source), orderId: try uuid(data.orderID, "order id"),
                    customerId: try uuid(data.customerID, "customer id"), amount: data.total, paymentToken: data.paymentToken)
            }
            .onReply(reading(AuthorizePaymentReply.self) { reply, data in data.authorizationID = reply.authorizationId.map(text) })
            .timeout(timeout).retry(retry)
            SagaStep<OrderSagaData>.retriable("confirmOrder", topic: topics.orderCommands) { data, context in
                ConfirmOrder(metadata: try .command(context, source: source), orderId: try uuid(data.orderID, "order id"),
                    reservationId: try uuid(data.reservationID ?? "", "reservation id"),
                    authorizationId: try uuid(data.authorizationID ?? "", "authorization id"))
            }
            .timeout(timeout).retry(afterPivotRetry)
            SagaStep<OrderSagaData>.retriable("notifyCustomer", topic: topics.notificationCommands) { data, context in
                SendNotification(
                    metadata: try .command(context, source: source), kind: .orderConfirmed, recipient: data.customerID,
                    subjectId: try uuid(data.orderID, "order id"),
                    parameters: ["amountMinor": String(data.total.amountMinor), "currency": data.currency]
                )
            }
            .timeout(timeout).retry(afterPivotRetry)
        }
    }

    /// Starts an order saga from each `OrderPlaced` on `topic`; the saga id is the order id.
    public static func trigger(topic: String = SagaTopics().orderPlaced) -> SagaTrigger {
        SagaTrigger(topic: topic, sagaType: sagaType) { message in
            let event = try OrderPlaced.decodePayload(message.value)
            return (text(event.orderId), try OrderSagaData(event).encodePayload())
        }
    }

    /// The saga's registration: its definition and trigger on `options`' topics and policies.
    public static func registration(_ options: SagaCatalog.Options) throws -> SagaRegistration {
        try SagaRegistration(
            definitions: [
                definition(topics: options.topics, timeout: options.stepTimeout, retry: options.stepRetry,
                    afterPivotRetry: options.afterPivotRetry),
            ],
            trigger: trigger(topic: options.topics.orderPlaced)
        )
    }
}
