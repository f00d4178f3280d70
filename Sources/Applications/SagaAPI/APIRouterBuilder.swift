import Hummingbird

/// Composes the API's router from whichever capabilities this process has:
///
/// - `all` role: `APIRouterBuilder(orders: LocalOrderPlacing(…), transfers: KafkaTransferRequester(…),
///   bills: KafkaBillSettler(…), sagas: LocalSagaQuerying(…), operations: …)`
/// - `api` role: ``RemoteOrderPlacing``, ``KafkaTransferRequester``, ``KafkaBillSettler``, ``RemoteSagaQuerying``
/// - `order` role: ``LocalOrderPlacing`` only; `orchestrator` role: ``LocalSagaQuerying`` only;
///   other roles: operations only.
///
/// Every error becomes an `application/problem+json` response (``ProblemMiddleware``).
public struct APIRouterBuilder: Sendable {
    /// `POST /orders`, when set.
    public var orders: (any OrderPlacing)?
    /// `POST /transfers`, when set.
    public var transfers: (any TransferRequesting)?
    /// `POST /bills/{billId}/settlement`, when set.
    public var bills: (any BillSettling)?
    /// `GET /sagas…`, when set.
    public var sagas: (any SagaQuerying)?
    /// `/registry/…` (the api role and `all`), when set.
    public var registry: RegistryRoutes?
    /// `/healthz`, `/readyz`, `/metrics`.
    public var operations: OperationsRoutes

    /// Creates a builder.
    public init(
        orders: (any OrderPlacing)? = nil, transfers: (any TransferRequesting)? = nil, bills: (any BillSettling)? = nil,
        sagas: (any SagaQuerying)? = nil, operations: OperationsRoutes = OperationsRoutes(), registry: RegistryRoutes? = nil
    ) {
        self.bills = bills
        self.registry = registry
        self.orders = orders
        self.transfers = transfers
        self.sagas = sagas
        self.operations = operations
    }

    /// Every route the built router serves.
    public var routes: [APIRoute] {
        (orders == nil ? [] : OrderRoutes.routes) + (transfers == nil ? [] : TransferRoutes.routes)
            + (bills == nil ? [] : BillRoutes.routes)
            + (sagas == nil ? [] : SagaRoutes.routes) + (registry == nil ? [] : RegistryRoutes.routes) + operations.routes
    }

    /// A new router serving ``routes``.
    public func router<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> Router<Context> {
        let router = Router(context: context)
        addRoutes(to: router)
        return router
    }

    /// Adds the problem middleware and ``routes`` to an existing router (whose own routes then
    /// also answer errors as problems).
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.add(middleware: ProblemMiddleware(routes: routes))
        if let orders { OrderRoutes(orders: orders).register(on: router) }
        if let transfers { TransferRoutes(transfers: transfers).register(on: router) }
        if let bills { BillRoutes(bills: bills).register(on: router) }
        if let sagas { SagaRoutes(sagas: sagas).register(on: router) }
        if let registry { registry.register(on: router) }
        operations.register(on: router)
    }
}
