import Foundation

/// Where a schema registry is and how to authenticate to it.
///
/// Read from the environment in one place, ``init(environment:)``:
///
/// | variable | meaning |
/// |---|---|
/// | `SAGA_SCHEMA_REGISTRY_URL` | base URL, e.g. `https://registry.internal:8081` (required) |
/// | `SAGA_SCHEMA_REGISTRY_BASIC_AUTH` | `user:password` for HTTP basic authentication |
/// | `SAGA_SCHEMA_REGISTRY_TOKEN` | a bearer token (exclusive with basic auth) |
/// | `SAGA_SCHEMA_REGISTRY_CA_FILE` | PEM file of the CA certificates to trust for `https` (default: the system's) |
///
/// Credentials never appear in ``description``, in errors or in logs: the URL is kept without
/// user information (credentials written into the URL are moved to ``credentials``).
public struct SchemaRegistryConfiguration: Sendable, CustomStringConvertible {
    /// The environment variable of the base URL.
    public static let urlVariable = "SAGA_SCHEMA_REGISTRY_URL"
    /// The environment variable of `user:password` for basic authentication.
    public static let basicAuthVariable = "SAGA_SCHEMA_REGISTRY_BASIC_AUTH"
    /// The environment variable of a bearer token.
    public static let tokenVariable = "SAGA_SCHEMA_REGISTRY_TOKEN"
    /// The environment variable of a PEM file of CA certificates.
    public static let caFileVariable = "SAGA_SCHEMA_REGISTRY_CA_FILE"

    /// How requests authenticate.
    public enum Credentials: Sendable, Hashable, CustomStringConvertible {
        /// No `Authorization` header.
        case none
        /// HTTP basic authentication.
        case basic(user: String, password: String)
        /// `Authorization: Bearer <token>`.
        case bearer(String)

        /// The `Authorization` header value, if any.
        var authorizationHeader: String? {
            switch self {
            case .none: nil
            case .basic(let user, let password): "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            case .bearer(let token): "Bearer " + token
            }
        }

        /// Which kind, never the secret.
        public var description: String {
            switch self {
            case .none: "none"
            case .basic(let user, _): "basic (user \(user), password redacted)"
            case .bearer: "bearer (token redacted)"
            }
        }
    }

    /// The base URL without user information and without a trailing slash.
    public let baseURL: String
    /// How to authenticate.
    public var credentials: Credentials
    /// A PEM file of CA certificates to trust instead of the system's (https only).
    public var caFile: String?
    /// The deadline of one request.
    public var requestTimeout: Duration

    /// A configuration for `url`. Credentials in the URL (`https://user:password@host`) are
    /// taken out of it into ``credentials`` unless `credentials` is given.
    public init(url: String, credentials: Credentials = .none, caFile: String? = nil, requestTimeout: Duration = .seconds(10)) throws(SchemaRegistryError) {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw SchemaRegistryError(.configuration("the registry URL must be an http or https URL with a host"),
                                      operation: "", registry: Self.redacted(url))
        }
        var credentials = credentials
        if let user = components.user, credentials == .none {
            credentials = .basic(user: user, password: components.password ?? "")
        }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        var base = components.string ?? url
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.credentials = credentials
        self.caFile = caFile
        self.requestTimeout = requestTimeout
    }

    /// The configuration from `SAGA_SCHEMA_REGISTRY_*` variables, or nil when
    /// `SAGA_SCHEMA_REGISTRY_URL` is unset or empty (no registry configured).
    ///
    /// Throws when the URL is invalid, when both basic auth and a token are set, when basic
    /// auth is not `user:password`, or when the CA file does not exist.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SchemaRegistryError) {
        guard let url = environment[Self.urlVariable], !url.isEmpty else { return nil }
        let basic = environment[Self.basicAuthVariable].flatMap { $0.isEmpty ? nil : $0 }
        let token = environment[Self.tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
        func fail(_ message: String) -> SchemaRegistryError {
            SchemaRegistryError(.configuration(message), operation: "", registry: Self.redacted(url))
        }
        var credentials = Credentials.none
        switch (basic, token) {
        case (.some, .some):
            throw fail("set \(Self.basicAuthVariable) or \(Self.tokenVariable), not both")
        case (.some(let pair), nil):
            guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex else {
                throw fail("\(Self.basicAuthVariable) must be user:password")
            }
            credentials = .basic(user: String(pair[..<colon]), password: String(pair[pair.index(after: colon)...]))
        case (nil, .some(let token)):
            credentials = .bearer(token)
        case (nil, nil):
            break
        }
        let caFile = environment[Self.caFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let caFile, !FileManager.default.fileExists(atPath: caFile) {
            throw fail("\(Self.caFileVariable) names \(caFile), which does not exist")
        }
        try self.init(url: url, credentials: credentials, caFile: caFile)
    }

    public var description: String {
        var text = "\(baseURL) (authentication: \(credentials)"
        if let caFile { text += ", CA file \(caFile)" }
        return text + ")"
    }

    /// `url` with any user information replaced, for messages about a URL that did not parse.
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@") else { return url }
        let start = url.range(of: "://")?.upperBound ?? url.startIndex
        guard start < at else { return url }
        return String(url[..<start]) + "***" + String(url[at...])
    }
}
