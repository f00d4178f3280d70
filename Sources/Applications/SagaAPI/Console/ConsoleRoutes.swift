import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /console` (the web console's page) and `GET /console/{asset}` (its scripts and styles),
/// served without a token: the page asks for one and sends it as a bearer token to the API.
///
/// Every answer carries a `Content-Security-Policy` that allows scripts, styles and requests
/// from this origin only (no inline script, no other host: the console works without internet).
/// Console files that are not installed make both routes answer a 500 problem saying where they
/// were looked for.
public struct ConsoleRoutes: Sendable {
    /// The policy of every console response.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The routes this group registers.
    public static let routes = [APIRoute(.get, "/console", access: .public), APIRoute(.get, "/console/{asset}", access: .public)]

    private let assets: Result<ConsoleAssets, ConsoleAssets.LoadError>

    /// Serves `assets`.
    public init(assets: ConsoleAssets) {
        self.assets = .success(assets)
    }

    /// Serves the console found by ``ConsoleAssets/locate(executableDirectory:)`` beside the
    /// executable in `executableDirectory`, or a problem saying why it is missing.
    public init(executableDirectory: String = ConsoleAssets.executableDirectory) {
        do throws(ConsoleAssets.LoadError) {
            assets = .success(try ConsoleAssets.locate(executableDirectory: executableDirectory))
        } catch {
            assets = .failure(error)
        }
    }

    /// Why the console cannot be served, if it cannot.
    public var loadError: ConsoleAssets.LoadError? {
        if case .failure(let error) = assets { return error }
        return nil
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let assets = self.assets
        Self.routes[0].register(on: router) { _, _ in try Self.serve("index.html", from: assets) }
        Self.routes[1].register(on: router) { _, context in
            try Self.serve(context.parameters.get("asset") ?? "", from: assets)
        }
    }

    static func serve(_ name: String, from assets: Result<ConsoleAssets, ConsoleAssets.LoadError>) throws -> Response {
        let files: [String: ConsoleAssets.File]
        switch assets {
        case .success(let loaded): files = loaded.files
        case .failure(let error): throw Problem(.internalError, detail: error.description)
        }
        guard let file = files[name] else {
            throw Problem(.notFound, detail: "the console has no file \(name); it has " + files.keys.sorted().joined(separator: ", "))
        }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.cacheControl] = "no-cache"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.contents)))
    }
}
