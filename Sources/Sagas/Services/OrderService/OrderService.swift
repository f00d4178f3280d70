import Foundation
import Logging
import SagaContracts
import SagaCore
import SagaKafka
import SagaPostgres
import SagaSQLite
import ServiceKit

/// The order service: takes orders (``placeOrder(orderID:customerID:lines:currency:paymentToken:)``
/// stores the order `PENDING` and writes its `OrderPlaced` event to the outbox in the same
/// transaction, so the event is published if and only if the order exists), and confirms or
/// cancels them on the saga's commands (`ConfirmOrder`, `CancelOrder` on `order.commands`).
///
/// The service's outbox is relayed by its participant service's relay (``SagaParticipantService``),
/// which publishes the start events and the replies alike.
public struct OrderService: Sendable {
    /// The name replies and events are sent under and inbox entries recorded with.
    public static let name = "order-service"
    /// The service's database.
    public let store: ServiceStore
    /// The command processor.
    public let participant: SagaParticipant<ServiceStore>
    /// Where `OrderPlaced` events go.
    public let orderPlacedTopic: String

    /// Opens (creating if needed) the service's database at `path`; events go to `orderPlacedTopic`.
    public init(path: String, orderPlacedTopic: String = SagaTopics().orderPlaced) async throws {
        self.init(store: try await ServiceStore.sqlite(path: path, migrate: OrderStore.migrate), orderPlacedTopic: orderPlacedTopic)
    }

    /// Opens the service's tables in `database`'s schema on PostgreSQL (migrating them, safely when
    /// several replicas start at once); run the store's ``ServiceStore/postgres`` while it is used.
    public init(database: PostgresStoreConfiguration, orderPlacedTopic: String = SagaTopics().orderPlaced, logger: Logger = Logger(label: "saga.postgres")) async throws {
        try await self.init(store: try await ServiceStore.postgres(database, migrations: OrderStore.postgresMigrations, logger: logger), orderPlacedTopic: orderPlacedTopic)
    }

    /// The service on an opened store holding its tables; events go to `orderPlacedTopic`.
    public init(store: ServiceStore, orderPlacedTopic: String = SagaTopics().orderPlaced) {
        self.store = store
        participant = SagaParticipant(store: store, consumerName: Self.name, handler: Self.handle)
        self.orderPlacedTopic = orderPlacedTopic
    }

    /// What ``placeOrder(orderID:customerID:lines:currency:paymentToken:)`` did.
    public enum PlaceResult: Sendable, Hashable {
        /// The order was stored and its `OrderPlaced` event written to the outbox.
        case placed
        /// An order with this id exists: nothing changed and no event was written.
        case alreadyPlaced
    }

    /// Stores a `PENDING` order and its `OrderPlaced` event (on the outbox) in one transaction.
    /// Idempotent per order id. `trace` (the caller's W3C trace context) goes on the event, so the
    /// saga continues the caller's trace. Throws ``DomainError`` for an empty order, a non-positive
    /// quantity, a negative price or a malformed currency.
    public func placeOrder(
        orderID: UUID = UUID(), customerID: UUID, lines: [OrderLine], currency: String, paymentToken: String,
        trace: TraceContext? = nil
    ) async throws -> PlaceResult {
        try OrderStore.validate(customerID: customerID, lines: lines, currency: currency)
        let event = OrderPlaced(
            metadata: MessageMetadata(messageId: UUID(), sagaId: orderID, causationId: nil, occurredAt: Date(),
                source: Self.name, traceParent: trace?.traceparent, replyTo: nil),
            orderId: orderID, customerId: customerID,
            items: lines.map { OrderItem(productId: $0.productID, sku: $0.sku, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor) },
            currency: currency, paymentToken: paymentToken
        )
        let message = try StartEvent.message(event, topic: orderPlacedTopic, trace: trace)
        let placed = try await store.write("order") { db -> Bool in
            guard try OrderStore.insert(orderID: orderID, customerID: customerID, lines: lines, currency: currency,
                paymentToken: paymentToken, in: db) else { return false }
            try db.enqueue([message])
            return true
        }
        if placed { await participant.outboxDoorbell.ring() }
        return placed ? .placed : .alreadyPlaced
    }

    /// The order, if any.
    public func order(_ orderID: UUID) async throws -> Order? {
        try await store.read("order") { db in try OrderStore.order(orderID: orderID, in: db) }
    }

    @Sendable static func handle(_ command: ParticipantCommand, _ db: ServiceTransaction) throws -> ParticipantReply {
        switch command.messageType {
        case ConfirmOrder.messageType:
            let body = try command.decode(ConfirmOrder.self)
            let result = try OrderStore.confirm(orderID: text(body.orderId), reservationID: text(body.reservationId),
                authorizationID: text(body.authorizationId), in: db)
            return try .contract(ConfirmOrderReply(
                metadata: .reply(to: command, source: name), orderId: body.orderId, outcome: result.outcome, failure: result.failure
            ))
        case CancelOrder.messageType:
            let body = try command.decode(CancelOrder.self)
            let result = try OrderStore.cancel(orderID: text(body.orderId), code: body.reason.code, message: body.reason.message, in: db)
            return try .contract(CancelOrderReply(
                metadata: .reply(to: command, source: name), orderId: body.orderId, outcome: result.outcome, failure: result.failure
            ))
        default:
            throw UnexpectedCommandError(service: name, command: command)
        }
    }
}
