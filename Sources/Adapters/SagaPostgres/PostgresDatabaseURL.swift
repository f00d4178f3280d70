import Foundation

/// Where a PostgreSQL store connects: `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…`,
/// read as libpq reads a connection URI (`postgresql://` too; the port defaults to 5432, the
/// database to the user's name, `sslmode` to `prefer`; user and password may be percent-encoded).
///
/// The password is kept for the connection only: ``description`` (and so every log line, error
/// and report that prints the URL) shows `postgres://user@host:port/database?…` without it.
public struct PostgresDatabaseURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The role's password, if the URL has one. Never printed.
    public var password: String?
    /// The database to open.
    public var database: String
    /// Whether and how TLS is used (libpq's `sslmode`).
    public var sslMode: SSLMode
    /// A file of trusted root certificates (PEM; libpq's `sslrootcert`), if given.
    public var sslRootCertificate: String?

    /// libpq's `sslmode` values.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// Plain connections only.
        case disable
        /// TLS if the server insists (treated as `prefer`: postgres-nio asks first).
        case allow
        /// TLS if the server offers it, without certificate checks; plain otherwise.
        case prefer
        /// TLS required; the certificate is checked only when `sslrootcert` is given (as libpq does).
        case require
        /// TLS required; the certificate must chain to a trusted root.
        case verifyCA = "verify-ca"
        /// TLS required; the certificate must chain to a trusted root and name the host.
        case verifyFull = "verify-full"
    }

    /// Creates a URL from its parts.
    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String,
        sslMode: SSLMode = .prefer, sslRootCertificate: String? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.sslRootCertificate = sslRootCertificate
    }

    /// Parses `text`.
    ///
    /// - Throws: ``PostgresStoreError/invalidURL(_:reason:)`` naming what is wrong, with the URL
    ///   shown without its password.
    public init(parsing text: String) throws(PostgresStoreError) {
        let shown = Self.redacting(text)
        guard let components = URLComponents(string: text) else {
            throw .invalidURL(shown, reason: "not a URL (expected postgres://user:password@host:port/database)")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw .invalidURL(shown, reason: "the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidURL(shown, reason: "no host") }
        guard let username = components.user, !username.isEmpty else {
            throw .invalidURL(shown, reason: "no user (postgres://user:password@host/database)")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw .invalidURL(shown, reason: "port \(port) is out of range") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw .invalidURL(shown, reason: "the path must be one database name") }
        var sslMode = SSLMode.prefer
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    throw .invalidURL(shown, reason: "sslmode '\(item.value ?? "")' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { throw .invalidURL(shown, reason: "sslrootcert is empty") }
                rootCertificate = value
            default:
                throw .invalidURL(shown, reason: "unsupported parameter '\(item.name)' (supported: sslmode, sslrootcert)")
            }
        }
        self.init(
            host: host, port: port, username: username, password: components.password,
            database: path.isEmpty ? username : path, sslMode: sslMode, sslRootCertificate: rootCertificate)
    }

    /// The URL without its password.
    public var description: String {
        var query: [String] = []
        if sslMode != .prefer { query.append("sslmode=\(sslMode.rawValue)") }
        if let sslRootCertificate { query.append("sslrootcert=\(sslRootCertificate)") }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)@\(hostPart):\(port)/\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// The URL without its password (as ``description``: `debugPrint` and `String(reflecting:)` show no password either).
    public var debugDescription: String { description }

    /// `text` with whatever stands between `user:` and `@` replaced by `***`, for messages about
    /// a URL that did not parse.
    public static func redacting(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.range(of: "@", options: .backwards),
            schemeEnd.upperBound <= at.lowerBound
        else { return text.contains("@") ? "(a URL that does not parse)" : text }
        let credentials = text[schemeEnd.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at.lowerBound...])
    }
}
