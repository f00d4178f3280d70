import AsyncHTTPClient
import Avro
import Foundation
import NIOCore
import NIOHTTP1

/// sagactl's client of the saga-server HTTP API: JSON in and out, the bearer token of
/// `SAGA_TOKEN`, and every problem answer turned into a ``CLIError`` that says what to do.
/// The token is sent, never printed.
struct SagaAPIClient: Sendable {
    /// The base URL without a trailing slash.
    let baseURL: String
    private let token: String?
    private let timeout: TimeAmount

    init(baseURL: String, token: String?, timeoutSeconds: Int64 = 30) throws {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw CLIError.input("--url \(baseURL): expected an http(s) URL such as http://localhost:8080")
        }
        self.baseURL = base
        self.token = token.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        self.timeout = .seconds(timeoutSeconds)
    }

    /// `GET path?query`: the JSON body of a 2xx answer.
    func get(_ path: String, query: [(String, String)] = []) async throws -> JSONValue {
        try await send(.GET, path + Self.queryString(query), body: nil)
    }

    /// `POST path` with a JSON body: the JSON body of a 2xx answer.
    func post(_ path: String, json: JSONValue) async throws -> JSONValue {
        try await send(.POST, path, body: json)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: JSONValue?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json, application/problem+json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.serialized))
        }
        let target = "\(method) \(baseURL)\(path)"
        let response: HTTPClientResponse
        let bytes: [UInt8]
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
            bytes = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        } catch {
            throw CLIError.failed("\(target): cannot reach the API: \(error)")
        }
        let json = try? JSONValue(parsing: bytes)
        let status = Int(response.status.code)
        if (200..<300).contains(status), let json { return json }
        throw Self.error(status: status, json: json, target: target, hasToken: token != nil)
    }

    /// The CLI error for a non-2xx answer: the problem's title and detail, and a hint for 401/403.
    static func error(status: Int, json: JSONValue?, target: String, hasToken: Bool) -> CLIError {
        var text = "\(target) answered \(status)"
        if let json, case .string(let title)? = json["title"] {
            text += " \(title)"
            if case .string(let detail)? = json["detail"], !detail.isEmpty { text += ": \(detail)" }
            if case .array(let errors)? = json["errors"] {
                text += errors.compactMap { error -> String? in
                    guard case .string(let field)? = error["field"], case .string(let message)? = error["message"] else { return nil }
                    return "\n  \(field): \(message)"
                }.joined()
            }
        }
        if status == 401 {
            text += hasToken ? "\n(SAGA_TOKEN is not a token of this server)" : "\n(set SAGA_TOKEN to a bearer token: sagactl auth token makes one)"
        }
        if status == 403 { text += "\n(the token's role does not allow this; ask for a token with the role named above)" }
        return .failed(text)
    }

    /// `?a=b&c=d`, percent-encoded, or "" when empty.
    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return "?" + query.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
