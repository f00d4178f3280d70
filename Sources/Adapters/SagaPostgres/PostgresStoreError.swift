import Foundation
import PostgresNIO

/// Opening a PostgreSQL store failed. Every case names the server (`host:port`) and, where it
/// matters, the role and database; none carries the password.
public enum PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database URL does not parse (shown without its password).
    case invalidURL(String, reason: String)
    /// The schema name is not a plain lower-case SQL identifier.
    case invalidSchema(String)
    /// No connection could be made (host unknown, nothing listening, timed out, TLS refused).
    case unreachable(host: String, port: Int, detail: String)
    /// The server refused the role or its password.
    case authenticationFailed(host: String, port: Int, username: String, detail: String)
    /// The server has no database of that name.
    case missingDatabase(host: String, port: Int, database: String)
    /// The server answered with an error (SQLSTATE and message).
    case server(host: String, port: Int, operation: String, detail: String)
    /// The database holds migrations this build does not know: a newer build wrote it.
    case newerSchema(schema: String, unknown: [String])

    /// A readable description.
    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "database URL \(url): \(reason)"
        case .invalidSchema(let name):
            "database schema '\(name)': expected a lower-case SQL identifier (letters, digits, _; at most 63 characters)"
        case .unreachable(let host, let port, let detail): "PostgreSQL at \(host):\(port) is unreachable: \(detail)"
        case .authenticationFailed(let host, let port, let username, let detail):
            "PostgreSQL at \(host):\(port) refused role '\(username)': \(detail)"
        case .missingDatabase(let host, let port, let database):
            "PostgreSQL at \(host):\(port) has no database '\(database)' (create it first)"
        case .server(let host, let port, let operation, let detail): "PostgreSQL at \(host):\(port): \(operation) failed: \(detail)"
        case .newerSchema(let schema, let unknown):
            "schema '\(schema)' holds migrations this build does not know (\(unknown.joined(separator: ", "))): a newer build wrote it"
        }
    }

    /// Classifies an error of postgres-nio met while connecting to `url` or running `operation`.
    static func classify(_ error: any Error, url: PostgresDatabaseURL, operation: String) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        if let stale = error as? PostgresSagaStore.StaleConnection { return classify(stale.underlying, url: url, operation: operation) }
        guard let error = error as? PSQLError else {
            return .unreachable(host: url.host, port: url.port, detail: String(describing: error))
        }
        let state = error.serverInfo?[.sqlState]
        switch state {
        case "28P01", "28000":
            return .authenticationFailed(host: url.host, port: url.port, username: url.username, detail: PostgresFailure.detail(error))
        case "3D000":
            return .missingDatabase(host: url.host, port: url.port, database: url.database)
        default:
            break
        }
        switch error.code {
        case .server:
            return .server(host: url.host, port: url.port, operation: operation, detail: PostgresFailure.detail(error))
        case .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError:
            return .authenticationFailed(host: url.host, port: url.port, username: url.username, detail: PostgresFailure.detail(error))
        default:
            return .unreachable(host: url.host, port: url.port, detail: PostgresFailure.detail(error))
        }
    }
}

/// Readable text of postgres-nio's errors (its `description` hides everything on purpose; this
/// shows the SQLSTATE, the server's message and the underlying I/O error, never bound values).
enum PostgresFailure {
    static func detail(_ error: any Error) -> String {
        if let stale = error as? PostgresSagaStore.StaleConnection { return detail(stale.underlying) }
        guard let error = error as? PSQLError else {
            if let error = error as? PostgresTransactionError {
                return [error.closureError, error.beginError, error.commitError, error.rollbackError]
                    .compactMap { $0.map(detail) }.first ?? "transaction failed"
            }
            return String(describing: error)
        }
        if let info = error.serverInfo {
            var text = info[.message] ?? "server error"
            if let state = info[.sqlState] { text += " (SQLSTATE \(state))" }
            if let detail = info[.detail] { text += ": \(detail)" }
            return text
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return error.code.description
    }
}
