import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Checks the bearer token of every request to a route that is not ``RouteAccess/public``:
/// a missing, malformed or unknown token is a 401 problem (with `WWW-Authenticate: Bearer`), a
/// token whose role does not allow the route a 403 problem. A request to no route needs a valid
/// token too, so the API's shape is not told to strangers. The caller runs the route as
/// ``APICaller/current``. Tokens are never logged: only the holder's name is.
public struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The realm in `WWW-Authenticate`.
    public static var realm: String { "swift-saga" }

    private let authentication: APIAuthentication
    private let routes: [APIRoute]

    /// Checks requests against `authentication`; `routes` (the router's) say what each requires.
    public init(authentication: APIAuthentication, routes: [APIRoute]) {
        self.authentication = authentication
        self.routes = routes
    }

    /// Authenticates and authorizes the request, then runs the route as its caller.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = APIRoute.route(in: routes, method: request.method, path: request.uri.path)
        let access = route?.access ?? (routes.contains { $0.matches(path: request.uri.path) && $0.access == .public } ? .public : .authenticated)
        guard case .required(let tokens) = authentication else {
            return try await APICaller.$current.withValue(APICaller(name: "anonymous", role: nil)) { try await next(request, context) }
        }
        if access == .public { return try await next(request, context) }
        let header = request.headers[.authorization]
        guard let header else {
            return Self.unauthorized("this route needs a bearer token (Authorization: Bearer <token>)", error: nil)
        }
        guard let token = Self.bearerToken(header) else {
            return Self.unauthorized("the Authorization header is not 'Bearer <token>'", error: "invalid_request")
        }
        guard let holder = tokens.holder(of: token) else {
            context.logger.notice("unknown bearer token", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)"])
            return Self.unauthorized("the bearer token is not one of the configured tokens", error: "invalid_token")
        }
        guard holder.role.permits(access) else {
            context.logger.notice("role refused", metadata: [
                "caller": "\(holder.name)", "role": "\(holder.role)", "method": "\(request.method)", "path": "\(request.uri.path)",
            ])
            return Problem(.forbidden,
                detail: "\(request.method) \(route?.path ?? request.uri.path) needs the role "
                    + access.roles.map(\.rawValue).joined(separator: " or ") + "; the token of \(holder.name) has \(holder.role)",
                extensions: [.init("role", .string(holder.role.rawValue)),
                             .init("requiredRoles", .array(access.roles.map { .string($0.rawValue) }))]
            ).response()
        }
        let caller = APICaller(name: holder.name, role: holder.role, authorization: header)
        return try await APICaller.$current.withValue(caller) { try await next(request, context) }
    }

    /// The token of `Bearer <token>` (scheme case-insensitive), or nil.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// A 401 problem with its `WWW-Authenticate` challenge (RFC 6750).
    static func unauthorized(_ detail: String, error: String?) -> Response {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"\(realm)\"" + (error.map { ", error=\"\($0)\"" } ?? "")
        return Problem(.unauthorized, detail: detail).response(headers: headers)
    }
}
