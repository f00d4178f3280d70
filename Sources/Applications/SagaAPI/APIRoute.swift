import HTTPTypes
import Hummingbird

/// A route of the API: its method and its path template as the OpenAPI document writes it
/// (`/sagas/{id}`; Hummingbird reads the same syntax).
public struct APIRoute: Sendable, Hashable, CustomStringConvertible {
    /// The method.
    public var method: HTTPRequest.Method
    /// The path template.
    public var path: String
    /// What the caller's token must allow (``RouteAccess``); any valid token unless said otherwise.
    public var access: RouteAccess

    /// Creates a route.
    public init(_ method: HTTPRequest.Method, _ path: String, access: RouteAccess = .authenticated) {
        self.method = method
        self.path = path
        self.access = access
    }

    /// `GET /sagas/{id}`.
    public var description: String { "\(method.rawValue) \(path)" }

    /// Whether `path` (a request path) fits the template: same segments, `{name}` matching any non-empty one.
    public func matches(path requestPath: String) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: true)
        let actual = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        guard template.count == actual.count else { return false }
        return zip(template, actual).allSatisfy { pattern, segment in
            (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == segment
        }
    }

    /// The number of `{name}` segments: of two routes that fit a path, the one with fewer is
    /// meant (`/sagas/counts` before `/sagas/{id}`), as the router chooses.
    var parameterCount: Int {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.count
    }

    /// The route among `routes` that serves `method` on `path`, the most literal first.
    static func route(in routes: [APIRoute], method: HTTPRequest.Method, path: String) -> APIRoute? {
        routes.filter { $0.method == method && $0.matches(path: path) }.min { $0.parameterCount < $1.parameterCount }
    }

    /// Registers `handler` for this route on `router`.
    func register<Context: RequestContext>(
        on router: Router<Context>, _ handler: @Sendable @escaping (Request, Context) async throws -> Response
    ) {
        router.on(RouterPath(path), method: method, use: handler)
    }
}
