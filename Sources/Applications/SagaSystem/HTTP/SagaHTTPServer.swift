import Hummingbird
import Logging
import SagaAPI
import ServiceLifecycle

/// The HTTP server of one `saga-server` process: the `SagaAPI` routes of its role
/// (``SagaSystem/apiRoutes`` — `/healthz`, `/readyz`, `/metrics` on every role, and `/orders`,
/// `/transfers`, `/sagas` where the role serves them), plus whatever ``addRoutes`` adds.
/// A swift-service-lifecycle `Service`: stops accepting and drains on graceful shutdown.
///
/// ```swift
/// let server = SagaHTTPServer(host: "127.0.0.1", port: 0, routes: APIRouterBuilder(authentication: .required(tokens))) { router in
///     router.get("/hello") { _, _ in "hello" }
/// } onListening: { host, port in print("listening on \(host):\(port)") }
/// ```
public struct SagaHTTPServer: Service {
    /// The request context of every route.
    public typealias Context = BasicRequestContext
    /// Adds routes to the router before the server starts.
    public typealias RouteAdder = @Sendable (Router<Context>) -> Void

    /// Bind address.
    public let host: String
    /// Bind port (0 = any free port; ``onListening`` gets the bound one).
    public let port: Int
    /// The API routes served.
    public let routes: APIRouterBuilder
    /// Extra routes.
    public let addRoutes: RouteAdder
    /// Called once the socket is bound, with the address and the port actually bound.
    public let onListening: @Sendable (_ host: String, _ port: Int) async -> Void
    private let logger: Logger

    /// Creates the server.
    public init(
        host: String, port: Int, routes: APIRouterBuilder,
        logger: Logger = Logger(label: "saga.http"),
        addRoutes: @escaping RouteAdder = { _ in },
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) {
        self.host = host
        self.port = port
        self.routes = routes
        self.logger = logger
        self.addRoutes = addRoutes
        self.onListening = onListening
    }

    /// The router with ``routes`` and ``addRoutes``'s.
    public func router() -> Router<Context> {
        let router = routes.router(context: Context.self)
        addRoutes(router)
        return router
    }

    /// Serves until graceful shutdown (or cancellation).
    public func run() async throws {
        let host = self.host
        let onListening = self.onListening
        let logger = self.logger
        let application = Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "saga-server"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? -1
                logger.debug("HTTP server bound", metadata: ["host": "\(host)", "port": "\(bound)"])
                await onListening(host, bound)
            },
            logger: logger
        )
        try await application.run()
    }
}
