import Foundation
import OrderService
import SagaCore
import ServiceKit

/// Places orders in process through the ``OrderService`` (the `order` role, or `all`): the
/// order row and its `OrderPlaced` start event commit together, idempotently per order id.
public struct LocalOrderPlacing: OrderPlacing {
    /// The idempotency kind of orders (the ``IdempotencyKey/sagaID(kind:)`` prefix).
    public static let kind = "order"

    private let service: OrderService

    /// Places orders through `service`.
    public init(service: OrderService) {
        self.service = service
    }

    /// Stores the order and its start event; a key that names an existing order returns it when
    /// the request is the same (`created == false`) and is a 422 ``Problem`` when it is not.
    public func placeOrder(
        _ order: PlaceOrderRequest, idempotencyKey: IdempotencyKey?, trace: TraceContext
    ) async throws(Problem) -> SagaAcceptance {
        let orderID = idempotencyKey?.sagaID(kind: Self.kind) ?? UUID()
        let result: OrderService.PlaceResult
        do {
            result = try await service.placeOrder(orderID: orderID, customerID: order.customerID, lines: order.lines,
                currency: order.currency, paymentToken: order.paymentToken, trace: trace)
        } catch let error as DomainError {
            throw Problem(.invalidRequest, detail: error.message, extensions: [.init("code", .string(error.code))])
        } catch {
            throw Problem(.internalError, detail: "placing order \(text(orderID)) failed: \(error)")
        }
        if result == .alreadyPlaced {
            let stored: Order?
            do {
                stored = try await service.order(orderID)
            } catch {
                throw Problem(.internalError, detail: "reading order \(text(orderID)) failed: \(error)")
            }
            guard let stored, order.matches(stored) else {
                throw Problem(.idempotencyKeyReused,
                    detail: "Idempotency-Key \(idempotencyKey?.value ?? "") was used for another order (\(text(orderID))); use a new key for a new order")
            }
        }
        return SagaAcceptance(sagaID: text(orderID), created: result == .placed)
    }
}
