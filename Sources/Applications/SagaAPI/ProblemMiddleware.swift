import Avro
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error a route (or the router) throws into an `application/problem+json`
/// response: a ``Problem`` as it is, Hummingbird's `HTTPError`s by their status (an unknown path
/// a 404, a known path with another method a 405 with `Allow`), anything else a logged 500.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    private let routes: [APIRoute]

    /// Maps errors; `routes` (the router's routes) tell a 405 from a 404.
    public init(routes: [APIRoute]) {
        self.routes = routes
    }

    /// Runs the route and maps its error, if any.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            // Server faults are logged; a 503 from /readyz or an upstream is the caller's news, not ours.
            if problem.status == 500 {
                context.logger.error("\(request.method) \(request.uri.path) failed", metadata: ["problem": "\(problem)"])
            } else if problem.status > 500, problem.type != Problem.Kind.notReady.type {
                context.logger.warning("\(request.method) \(request.uri.path) failed", metadata: ["problem": "\(problem)"])
            }
            return problem.response()
        } catch let error as HTTPError {
            return response(problem(for: error.status, message: error.body, request: request))
        } catch let error as any HTTPResponseError {
            return response(problem(for: error.status, message: nil, request: request))
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed", metadata: ["error": "\(error)"])
            return Problem(.internalError, detail: "\(request.method) \(request.uri.path) failed: \(error)").response()
        }
    }

    /// The problem's response; a 405 also says `Allow` (RFC 9110).
    private func response(_ problem: Problem) -> Response {
        var headers = HTTPFields()
        if let member = problem.extensions.first(where: { $0.name == "allow" }), case .array(let methods) = member.value {
            headers[.allow] = methods.compactMap { if case .string(let method) = $0 { method } else { nil } }.joined(separator: ", ")
        }
        return problem.response(headers: headers)
    }

    private func problem(for status: HTTPResponse.Status, message: String?, request: Request) -> Problem {
        let path = request.uri.path
        switch status {
        case .notFound:
            let allowed = routes.filter { $0.matches(path: path) }.map(\.method)
            if !allowed.isEmpty, !allowed.contains(request.method) {
                return Problem(.methodNotAllowed, detail: "\(request.method) is not allowed on \(path)",
                    extensions: [.init("allow", .array(allowed.map { .string($0.rawValue) }))])
            }
            return Problem(.noRoute, detail: "no route \(request.method) \(path)")
        case .contentTooLarge:
            return Problem(.bodyTooLarge, detail: message ?? "the body is larger than allowed")
        default:
            return Problem(type: "about:blank", title: status.reasonPhrase, status: status.code, detail: message ?? status.reasonPhrase)
        }
    }
}
