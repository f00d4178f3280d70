import AsyncHTTPClient
import Avro
import Foundation
import HTTPTypes
import NIOCore

/// Another role's HTTP API this process forwards to (the `order` role for `POST /orders`, the
/// `orchestrator` role for `GET /sagas…`), through a shared async-http-client `HTTPClient`.
///
/// The caller's `Authorization` header (``APICaller/current``) is forwarded, so the upstream
/// role authenticates and authorizes the same token.
///
/// An upstream problem (a 4xx/5xx with a problem body) is thrown as that ``Problem``, status and
/// members unchanged; an upstream that cannot be reached is a 503 ``Problem`` naming it, one that
/// does not answer in time a 504, one that answers something unreadable a 502.
public struct Upstream: Sendable {
    /// The largest upstream body read.
    public static let maximumBodySize = 8 << 20

    /// The upstream's name in problems (`order`, `orchestrator`).
    public let name: String
    /// Its base URL, without a trailing slash (`http://order:8080`).
    public let baseURL: String
    private let client: HTTPClient
    private let timeout: Duration

    /// An upstream URL is not an absolute http(s) URL.
    public struct InvalidURL: Error, Sendable, CustomStringConvertible {
        /// The upstream's name.
        public var name: String
        /// The URL given.
        public var url: String
        /// A readable description.
        public var description: String { "the \(name) upstream URL \"\(url)\" is not an absolute http:// or https:// URL" }
    }

    /// Forwards to `baseURL` (an absolute http or https URL) through `client`; each request must
    /// be answered within `timeout`.
    public init(name: String, baseURL: String, client: HTTPClient, timeout: Duration = .seconds(10)) throws(InvalidURL) {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw InvalidURL(name: name, url: baseURL)
        }
        self.name = name
        self.baseURL = base
        self.client = client
        self.timeout = timeout
    }

    /// `GET path?query`: the status and JSON body of a 2xx answer or of a 404 `not-found` problem; other answers throw.
    public func get(_ path: String, query: [(String, String)] = []) async throws(Problem) -> (status: Int, body: JSONValue) {
        var request = HTTPClientRequest(url: baseURL + path + Self.queryString(query))
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json, application/problem+json")
        return try await execute(request, path: path, allowNotFound: true)
    }

    /// `POST path` with a JSON body and extra headers: the status and JSON body of a 2xx answer; other answers throw.
    public func post(_ path: String, json: JSONValue, headers: [(String, String)] = []) async throws(Problem) -> (status: Int, body: JSONValue) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, application/problem+json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: json.serialized))
        return try await execute(request, path: path, allowNotFound: false)
    }

    private func execute(_ request: HTTPClientRequest, path: String, allowNotFound: Bool) async throws(Problem) -> (status: Int, body: JSONValue) {
        var request = request
        // The caller's credentials go along: the upstream role checks the same tokens.
        if let authorization = APICaller.current?.authorization { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
        let target = "\(request.method) \(baseURL)\(path)"
        let response: HTTPClientResponse
        let bytes: [UInt8]
        do {
            response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
                + timeout.components.attoseconds / 1_000_000_000))
            bytes = Array(try await response.body.collect(upTo: Self.maximumBodySize).readableBytesView)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw problem(.gatewayTimeout, "\(target) did not answer within \(timeout): \(error)")
        } catch {
            throw problem(.serviceUnavailable, "\(target) is unreachable: \(error)")
        }
        let status = Int(response.status.code)
        let json = try? JSONValue(parsing: bytes)
        if (200..<300).contains(status), let json { return (status, json) }
        if status >= 400, let json, let upstreamProblem = Problem(json: json) {
            // The upstream is not the role it should be (a wrong URL): that is this gateway's fault, not the caller's.
            if upstreamProblem.type == Problem.Kind.noRoute.type || upstreamProblem.type == Problem.Kind.methodNotAllowed.type {
                throw problem(.badGateway, "\(target) is not served there (\(upstreamProblem.detail)): is the \(name) URL right?")
            }
            if allowNotFound, status == 404, upstreamProblem.type == Problem.Kind.notFound.type { return (status, json) }
            throw upstreamProblem
        }
        throw problem(.badGateway, "\(target) answered \(status) with " + (json == nil ? "a body that is not JSON" : "an unexpected body"))
    }

    /// A problem about this upstream: `upstream-unavailable` with `status`, naming it in `upstream`.
    func problem(_ status: HTTPResponse.Status, _ detail: String) -> Problem {
        Problem(.upstreamUnavailable, detail: detail, status: status,
            extensions: [.init("upstream", .object([("name", .string(name)), ("url", .string(baseURL))]))])
    }

    /// `?a=b&c=d` with percent-encoded names and values, or "" when empty.
    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return "?" + query.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
