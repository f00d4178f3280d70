import Foundation
import Kafka
import OrderService
import SagaContracts
import SagaEngine
import ServiceKit

/// An order the workload places (what `POST /orders` takes, with the id chosen here).
public struct WorkloadOrder: Sendable, Hashable {
    /// The order (and saga) id.
    public var orderID: UUID
    /// The customer.
    public var customerID: UUID
    /// The lines.
    public var lines: [OrderLine]
    /// ISO 4217 currency of the prices.
    public var currency: String
    /// The card token (`tok_decline` is always declined).
    public var paymentToken: String

    /// Creates a request.
    public init(orderID: UUID = UUID(), customerID: UUID, lines: [OrderLine], currency: String, paymentToken: String) {
        self.orderID = orderID
        self.customerID = customerID
        self.lines = lines
        self.currency = currency
        self.paymentToken = paymentToken
    }
}

/// A UPI transfer the workload requests (what `POST /transfers` takes, with the id chosen here).
public struct WorkloadTransfer: Sendable, Hashable {
    /// The transfer (and saga) id.
    public var transferID: UUID
    /// Payer VPA.
    public var payer: String
    /// Payee VPA.
    public var payee: String
    /// Amount in minor units.
    public var amountMinor: Int64
    /// ISO 4217 currency.
    public var currency: String

    /// Creates a request.
    public init(transferID: UUID = UUID(), payer: String, payee: String, amountMinor: Int64, currency: String = "INR") {
        self.transferID = transferID
        self.payer = payer
        self.payee = payee
        self.amountMinor = amountMinor
        self.currency = currency
    }
}

/// Starts sagas the way the HTTP API does. The one seam between the demo workload (and the
/// tests) and the API: when `SagaAPI` lands, an implementation that calls its in-process
/// capabilities (or `POST /orders`, `POST /transfers`) replaces ``DirectSagaStarter``.
public protocol SagaStarting: Sendable {
    /// Places an order (its saga starts from the `OrderPlaced` event); returns the saga id.
    func placeOrder(_ order: WorkloadOrder) async throws -> UUID
    /// Requests a transfer (its saga starts from the `TransferRequested` event); returns the saga id.
    func requestTransfer(_ transfer: WorkloadTransfer) async throws -> UUID
}

/// What the API's in-process backends do: an order goes through `OrderService.placeOrder` (the
/// order and its `OrderPlaced` event in one transaction), a transfer is a `TransferRequested`
/// published to Kafka, awaiting the broker's acknowledgement.
public struct DirectSagaStarter: SagaStarting {
    /// The order service (`nil` where the order role runs in another process: orders then need the API).
    public let orders: OrderService?
    /// The producer of `TransferRequested` (idempotent, acks=all recommended).
    public let producer: KafkaProducer
    /// The topics.
    public let topics: SagaTopicNames

    /// Creates a starter.
    public init(orders: OrderService?, producer: KafkaProducer, topics: SagaTopicNames) {
        self.orders = orders
        self.producer = producer
        self.topics = topics
    }

    /// A starter cannot place orders without the order service in this process.
    public struct OrdersUnavailable: Error, CustomStringConvertible {
        public var description: String {
            "orders are placed through the order role's HTTP API (POST /orders), which this build does not serve yet"
        }
    }

    public func placeOrder(_ order: WorkloadOrder) async throws -> UUID {
        guard let orders else { throw OrdersUnavailable() }
        _ = try await orders.placeOrder(orderID: order.orderID, customerID: order.customerID, lines: order.lines,
            currency: order.currency, paymentToken: order.paymentToken)
        return order.orderID
    }

    public func requestTransfer(_ transfer: WorkloadTransfer) async throws -> UUID {
        let event = TransferRequested(
            metadata: MessageMetadata(messageId: UUID(), sagaId: transfer.transferID, causationId: nil, occurredAt: Date(),
                source: "sagactl-dev", traceParent: nil, replyTo: nil),
            transferId: transfer.transferID, payerVpa: transfer.payer, payeeVpa: transfer.payee,
            amount: Money(amountMinor: transfer.amountMinor, currency: transfer.currency), note: nil
        )
        _ = try await producer.send(KafkaMessage(try StartEvent.message(event, topic: topics.transferRequested)))
        return transfer.transferID
    }
}
