import Foundation
import NIOSSL
import PostgresNIO

/// How a ``PostgresSagaStore`` connects and where its tables live.
public struct PostgresStoreConfiguration: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The server, role, password and database.
    public var url: PostgresDatabaseURL
    /// The PostgreSQL schema holding the store's tables (created on start); by convention the
    /// role's name (`orchestrator`, `payment`, …), so several roles can share one database.
    public var schema: String
    /// At most this many connections (and blocking threads running transactions) at once.
    public var maximumConnections: Int
    /// How long a replica's claim on outbox rows or due timers holds before another replica may
    /// take them over (the claimer crashed or stalls).
    public var claimLease: TimeInterval
    /// How long connecting may take before the server counts as unreachable.
    public var connectTimeout: TimeInterval
    /// How long one statement may wait for the server's answer before its connection is closed
    /// and the operation fails as a store failure (retried by the caller): a connection the
    /// server dropped unnoticed, or a network that silently loses packets, would otherwise hold
    /// a message forever. Longer than any statement the store runs.
    public var statementTimeout: TimeInterval

    /// Creates a configuration.
    public init(
        url: PostgresDatabaseURL, schema: String, maximumConnections: Int = 10, claimLease: TimeInterval = 30,
        connectTimeout: TimeInterval = 10, statementTimeout: TimeInterval = 30
    ) {
        self.url = url
        self.schema = schema
        self.maximumConnections = max(1, maximumConnections)
        self.claimLease = claimLease
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
    }

    /// Whether `name` can name the store's schema: a plain lower-case SQL identifier (letters,
    /// digits and `_`, not starting with a digit or `pg_`, at most 63 bytes), which needs no quoting.
    public static func isValidSchemaName(_ name: String) -> Bool { PostgresSchema.isValidName(name) }

    /// What `pg_stat_activity` shows as the store's connections' `application_name`:
    /// `saga:<schema>`, so that a database administrator sees which role holds a connection.
    public var applicationName: String { "saga:\(schema)" }

    /// The URL (without its password) and the schema.
    public var description: String { "\(url) schema \(schema)" }

    /// As ``description``: no password.
    public var debugDescription: String { description }

    /// The TLS settings `sslmode` and `sslrootcert` ask for (nil: plain connections), and whether
    /// TLS is required rather than preferred.
    func tls() throws(PostgresStoreError) -> (configuration: TLSConfiguration, required: Bool)? {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let root = url.sslRootCertificate {
            guard FileManager.default.isReadableFile(atPath: root) else {
                throw .invalidURL(url.description, reason: "sslrootcert \(root) is not a readable file")
            }
            tls.trustRoots = .file(root)
        }
        switch url.sslMode {
        case .disable:
            return nil
        case .allow, .prefer:
            tls.certificateVerification = .none
            return (tls, false)
        case .require:
            tls.certificateVerification = url.sslRootCertificate == nil ? .none : .noHostnameVerification
            return (tls, true)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return (tls, true)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return (tls, true)
        }
    }

    /// The configuration of one direct connection (used to migrate on start).
    func connectionConfiguration() throws(PostgresStoreError) -> PostgresConnection.Configuration {
        let mode: PostgresConnection.Configuration.TLS
        do {
            if let (tls, required) = try tls() {
                let context = try NIOSSLContext(configuration: tls)
                mode = required ? .require(context) : .prefer(context)
            } else {
                mode = .disable
            }
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw .invalidURL(url.description, reason: "TLS settings: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: mode)
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// The session settings every connection starts with: the schema, the name
    /// `pg_stat_activity` shows, and no JIT compilation. The store's statements each read a few
    /// rows, but an estimate from thin statistics (columns mostly NULL, such as the claims) can
    /// pass `jit_above_cost`, and compiling then costs tens of milliseconds per statement.
    var startupParameters: [(String, String)] {
        [("search_path", PostgresSchema.quote(schema)), ("application_name", applicationName), ("jit", "off")]
    }

    /// The configuration of the store's connection pool.
    func clientConfiguration() throws(PostgresStoreError) -> PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS
        if let (tls, required) = try tls() {
            mode = required ? .require(tls) : .prefer(tls)
        } else {
            mode = .disable
        }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: mode)
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }
}
