import GRDB
import SagaCore
import SagaSQLite

/// Opens a service's SQLite database: the engine's inbox/outbox tables plus the service's own,
/// created by `migrate` in one transaction.
public enum ServiceDatabase {
    /// Opens (creating if needed) the store at `path` and runs `migrate` on it.
    public static func open(path: String, migrate: @escaping @Sendable (Database) throws -> Void) async throws -> SQLiteSagaStore {
        let store = try SQLiteSagaStore(path: path)
        try await store.pool.write { db in try migrate(db) }
        return store
    }
}

/// A domain rule refused a request made through a service's API (not a saga command: those get
/// business-failure replies).
public struct DomainError: Error, Hashable, CustomStringConvertible {
    /// A reason code, e.g. `VPA_INVALID`.
    public var code: String
    /// What was wrong, with the input.
    public var message: String

    /// Creates an error.
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A readable description.
    public var description: String { "\(code): \(message)" }
}
