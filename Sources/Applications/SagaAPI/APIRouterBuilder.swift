import Hummingbird

/// Composes the API's router from whichever capabilities this process has:
///
/// - `all` role: `APIRouterBuilder(authentication: .required(tokens), orders: LocalOrderPlacing(…),
///   transfers: KafkaTransferRequester(…), bills: KafkaBillSettler(…), sagas: LocalSagaQuerying(…),
///   operating: LocalSagaOperating(…), deadLetters: KafkaDeadLetterOperating(…), operations: …)`
/// - `api` role: ``RemoteOrderPlacing``, ``KafkaTransferRequester``, ``KafkaBillSettler``, ``RemoteSagaQuerying``,
///   ``RemoteSagaOperating``, ``RemoteDeadLetterOperating``
/// - `order` role: ``LocalOrderPlacing`` only; `orchestrator` role: ``LocalSagaQuerying``,
///   ``LocalSagaOperating`` and ``KafkaDeadLetterOperating`` only; other roles: operations only.
///
/// Every route but `/healthz`, `/readyz` and `/metrics` needs a bearer token of a role that
/// allows it (``AuthenticationMiddleware``, ``APIRole``) unless ``authentication`` is
/// ``APIAuthentication/disabled``. Every error becomes an `application/problem+json` response
/// (``ProblemMiddleware``).
public struct APIRouterBuilder: Sendable {
    /// The tokens every non-public route checks, or ``APIAuthentication/disabled``.
    public var authentication: APIAuthentication
    /// `POST /orders`, when set.
    public var orders: (any OrderPlacing)?
    /// `POST /transfers`, when set.
    public var transfers: (any TransferRequesting)?
    /// `POST /bills/{billId}/settlement`, when set.
    public var bills: (any BillSettling)?
    /// `GET /sagas…`, when set.
    public var sagas: (any SagaQuerying)?
    /// `POST /sagas/{id}/retry|resolve` and `GET /audit`, when set.
    public var operating: (any SagaOperating)?
    /// `/dead-letters/…`, when set.
    public var deadLetters: (any DeadLetterOperating)?
    /// `/registry/…` (the api role and `all`), when set.
    public var registry: RegistryRoutes?
    /// `/healthz`, `/readyz`, `/metrics`.
    public var operations: OperationsRoutes
    /// The web console at `/console` (the api role and `all`), when set.
    public var console: ConsoleRoutes?

    /// Creates a builder.
    public init(
        authentication: APIAuthentication,
        orders: (any OrderPlacing)? = nil, transfers: (any TransferRequesting)? = nil, bills: (any BillSettling)? = nil,
        sagas: (any SagaQuerying)? = nil, operating: (any SagaOperating)? = nil, operations: OperationsRoutes = OperationsRoutes(),
        registry: RegistryRoutes? = nil, deadLetters: (any DeadLetterOperating)? = nil, console: ConsoleRoutes? = nil
    ) {
        self.deadLetters = deadLetters
        self.console = console
        self.bills = bills
        self.operating = operating
        self.authentication = authentication
        self.registry = registry
        self.orders = orders
        self.transfers = transfers
        self.sagas = sagas
        self.operations = operations
    }

    /// Every route the built router serves.
    public var routes: [APIRoute] {
        var routes: [APIRoute] = []
        if orders != nil { routes += OrderRoutes.routes }
        if transfers != nil { routes += TransferRoutes.routes }
        if bills != nil { routes += BillRoutes.routes }
        if sagas != nil { routes += SagaRoutes.routes }
        if operating != nil { routes += OperatorRoutes.routes }
        if deadLetters != nil { routes += DeadLetterRoutes.routes }
        if registry != nil { routes += RegistryRoutes.routes }
        if console != nil { routes += ConsoleRoutes.routes }
        return routes + operations.routes
    }

    /// A new router serving ``routes``.
    public func router<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> Router<Context> {
        let router = Router(context: context)
        addRoutes(to: router)
        return router
    }

    /// Adds the problem and authentication middleware and ``routes`` to an existing router (whose
    /// own routes then also answer errors as problems, and need any valid token).
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.add(middleware: ProblemMiddleware(routes: routes))
        router.add(middleware: AuthenticationMiddleware(authentication: authentication, routes: routes))
        if let orders { OrderRoutes(orders: orders).register(on: router) }
        if let transfers { TransferRoutes(transfers: transfers).register(on: router) }
        if let bills { BillRoutes(bills: bills).register(on: router) }
        if let sagas { SagaRoutes(sagas: sagas).register(on: router) }
        if let operating { OperatorRoutes(operating: operating).register(on: router) }
        if let deadLetters { DeadLetterRoutes(operating: deadLetters).register(on: router) }
        if let registry { registry.register(on: router) }
        if let console { console.register(on: router) }
        operations.register(on: router)
    }
}
