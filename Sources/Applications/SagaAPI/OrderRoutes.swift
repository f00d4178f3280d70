import Hummingbird

/// `POST /orders`: places an order (which starts the order saga) through an ``OrderPlacing``.
public struct OrderRoutes: Sendable {
    /// The routes this group registers.
    public static let routes = [APIRoute(.post, "/orders", access: .startSagas)]

    private let orders: any OrderPlacing

    /// Serves orders through `orders` (``LocalOrderPlacing`` in the order role, ``RemoteOrderPlacing`` in the api role).
    public init(orders: any OrderPlacing) {
        self.orders = orders
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let orders = self.orders
        Self.routes[0].register(on: router) { request, _ in
            let key = try IdempotencyKey.of(request)
            let order = try PlaceOrderRequest(json: try await JSONRequestBody.json(request))
            let trace = RequestTrace.context(of: request)
            return try await orders.placeOrder(order, idempotencyKey: key, trace: trace).response(idMember: "orderId", trace: trace)
        }
    }
}
