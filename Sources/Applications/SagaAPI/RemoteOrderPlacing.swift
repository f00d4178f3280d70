import Avro
import SagaCore
import SagaAvro

/// Places orders by forwarding `POST /orders` to the order role (`SAGA_ORDER_URL`), with the
/// idempotency key, so the order role derives the same order id. Upstream problems pass through.
public struct RemoteOrderPlacing: OrderPlacing {
    private let upstream: Upstream

    /// Forwards to `upstream` (the order role).
    public init(upstream: Upstream) {
        self.upstream = upstream
    }

    /// Forwards the order and reads back the order role's acceptance.
    public func placeOrder(
        _ order: PlaceOrderRequest, idempotencyKey: IdempotencyKey?, trace: TraceContext
    ) async throws(Problem) -> SagaAcceptance {
        let headers = (idempotencyKey.map { [(IdempotencyKey.headerName.rawName, $0.value)] } ?? [])
            + trace.headers.map { ($0.key, $0.stringValue ?? "") }
        let (status, body) = try await upstream.post("/orders", json: order.json, headers: headers)
        guard let acceptance = SagaAcceptance(status: status, json: body) else {
            throw upstream.problem(.badGateway, "POST \(upstream.baseURL)/orders answered \(status) without a saga id")
        }
        return acceptance
    }
}
