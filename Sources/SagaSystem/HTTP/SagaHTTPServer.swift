import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP server of one `saga-server` process: `/healthz` (the process answers), `/readyz`
/// (every ``ReadinessChecks`` check passes: stores readable, broker reachable) and `/metrics`
/// (Prometheus text from ``metrics``), plus whatever routes ``addRoutes`` adds (the `SagaAPI`
/// route groups). A swift-service-lifecycle `Service`: stops accepting and drains on graceful shutdown.
///
/// ```swift
/// let server = SagaHTTPServer(host: "127.0.0.1", port: 0, readiness: checks) { router in
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
    /// Checks behind `/readyz`.
    public let readiness: ReadinessChecks
    /// The `/metrics` body (Prometheus text exposition format).
    public let metrics: @Sendable () async -> String
    /// Extra routes.
    public let addRoutes: RouteAdder
    /// Called once the socket is bound, with the address and the port actually bound.
    public let onListening: @Sendable (_ host: String, _ port: Int) async -> Void
    private let logger: Logger

    /// Creates the server.
    public init(
        host: String, port: Int, readiness: ReadinessChecks = ReadinessChecks(),
        metrics: @escaping @Sendable () async -> String = { "" },
        logger: Logger = Logger(label: "saga.http"),
        addRoutes: @escaping RouteAdder = { _ in },
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) {
        self.host = host
        self.port = port
        self.readiness = readiness
        self.metrics = metrics
        self.logger = logger
        self.addRoutes = addRoutes
        self.onListening = onListening
    }

    /// The router with the health and metrics routes and ``addRoutes``'s.
    public func router() -> Router<Context> {
        let router = Router(context: Context.self)
        let readiness = self.readiness
        let metrics = self.metrics
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("/readyz") { _, _ in
            let results = await readiness.evaluate()
            let ready = results.allSatisfy { $0.failure == nil }
            let body = ReadinessBody(
                status: ready ? "ready" : "not ready",
                checks: Dictionary(results.map { ($0.name, $0.failure ?? "ok") }, uniquingKeysWith: { first, _ in first })
            )
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(body)
            return Response(status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/metrics") { _, _ in
            let text = await metrics()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
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

/// The `/readyz` body: `{"status": "ready" | "not ready", "checks": {name: "ok" | reason}}`.
struct ReadinessBody: Codable, Sendable {
    var status: String
    var checks: [String: String]
}
