import Avro
import Hummingbird
import NIOCore
import Prometheus

/// `GET /healthz` (the process answers), `GET /readyz` (every ``ReadinessCheck`` passes; else a
/// 503 problem listing them) and `GET /metrics` (Prometheus text of a registry), served by every role.
public struct OperationsRoutes: Sendable {
    /// The Prometheus text exposition content type.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    private let checks: [ReadinessCheck]
    private let registry: PrometheusCollectorRegistry?
    private let checkTimeout: Duration

    /// Serves readiness from `checks` (each bounded by `checkTimeout`) and metrics from `registry`
    /// (no `/metrics` route without one).
    public init(checks: [ReadinessCheck] = [], registry: PrometheusCollectorRegistry? = nil, checkTimeout: Duration = .seconds(2)) {
        self.checks = checks
        self.registry = registry
        self.checkTimeout = checkTimeout
    }

    /// The routes this group registers.
    public var routes: [APIRoute] {
        [APIRoute(.get, "/healthz", access: .public), APIRoute(.get, "/readyz", access: .public)]
            + (registry == nil ? [] : [APIRoute(.get, "/metrics", access: .public)])
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let routes = self.routes, checks = self.checks, timeout = checkTimeout
        routes[0].register(on: router) { _, _ in
            JSONResponse.make(status: .ok, json: .object([("status", .string("ok"))]))
        }
        routes[1].register(on: router) { _, _ in
            let results = await ReadinessCheck.run(checks, timeout: timeout)
            let json = JSONValue.array(results.map { result in
                .object([("name", .string(result.name)), ("status", .string(result.failure == nil ? "pass" : "fail"))]
                    + (result.failure.map { [("detail", JSONValue.string($0))] } ?? []))
            })
            let failed = results.filter { $0.failure != nil }
            guard failed.isEmpty else {
                throw Problem(.notReady, detail: "failing checks: " + failed.map { "\($0.name) (\($0.failure ?? ""))" }.joined(separator: ", "),
                    extensions: [.init("checks", json)])
            }
            return JSONResponse.make(status: .ok, json: .object([("status", .string("ready")), ("checks", json)]))
        }
        if let registry {
            routes[2].register(on: router) { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = Self.metricsContentType
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            }
        }
    }
}
