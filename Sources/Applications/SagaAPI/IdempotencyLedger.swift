import Foundation
import GRDB
import Logging
import SagaPostgres
import ServiceKit

/// Remembers which idempotency keys the API has seen, for starts that have no store of their
/// own to ask (a `TransferRequested` is only published): the saga id each key named, the request
/// it came with, and whether its start event was acknowledged by the broker. The `api` role's
/// database: one SQLite file, or the role's schema of the PostgreSQL database, where several api
/// replicas share it (the key is the primary key, so concurrent claims of one key see one `new`).
public final class IdempotencyLedger: Sendable {
    /// What ``claim(kind:key:sagaID:request:)`` found.
    public enum Claim: Sendable, Hashable {
        /// The key is new: it is now recorded, unpublished.
        case new
        /// The key was seen with the same request; `published` tells whether its start event was acknowledged.
        case repeated(published: Bool)
        /// The key was seen with another request (`request` is the first one).
        case conflict(request: String)
    }

    /// The ledger could not be opened or used.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What was being done.
        public var operation: String
        /// The database's error.
        public var underlying: String
        /// A readable description.
        public var description: String { "idempotency ledger: \(operation) failed: \(underlying)" }
    }

    private enum Backend: Sendable {
        case sqlite(DatabasePool)
        case postgres(PostgresSagaStore)
    }

    private let backend: Backend
    /// Where the ledger lives: the SQLite file path, or the PostgreSQL URL (without its password) and schema.
    public let path: String

    /// The ledger's table on PostgreSQL.
    static let postgresMigrations = [
        PostgresMigration(identifier: "api v1: idempotency keys", statements: [
            """
            CREATE TABLE idempotency_key (
                kind text NOT NULL, key text NOT NULL, saga_id text NOT NULL, request text NOT NULL,
                published boolean NOT NULL DEFAULT false, created_at double precision NOT NULL, PRIMARY KEY (kind, key))
            """,
        ])
    ]

    /// Opens (creating if needed) the ledger at `path`.
    public init(path: String) throws(Failure) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1 idempotency keys") { db in
                try db.execute(sql: """
                    CREATE TABLE idempotency_key (
                        kind TEXT NOT NULL,
                        key TEXT NOT NULL,
                        saga_id TEXT NOT NULL,
                        request TEXT NOT NULL,
                        published INTEGER NOT NULL DEFAULT 0,
                        created_at REAL NOT NULL,
                        PRIMARY KEY (kind, key)
                    ) WITHOUT ROWID
                    """)
            }
            try migrator.migrate(pool)
            backend = .sqlite(pool)
        } catch {
            throw Failure(operation: "open \(path)", underlying: String(describing: error))
        }
    }

    private init(postgres store: PostgresSagaStore) {
        backend = .postgres(store)
        path = "\(store.configuration)"
    }

    /// Opens the ledger in `configuration`'s schema on PostgreSQL (migrating it, safely when
    /// several replicas start at once); run ``postgres`` while the ledger is used.
    ///
    /// - Throws: ``PostgresStoreError`` (never with the password).
    public static func open(_ configuration: PostgresStoreConfiguration, logger: Logger) async throws(PostgresStoreError) -> IdempotencyLedger {
        IdempotencyLedger(postgres: try await PostgresSagaStore.open(configuration, migrations: postgresMigrations, logger: logger))
    }

    /// The PostgreSQL store whose connection pool must run while the ledger is used; nil on SQLite.
    public var postgres: PostgresSagaStore? {
        if case .postgres(let store) = backend { return store }
        return nil
    }

    /// Records `key` of `kind` for `sagaID` and `request` (its canonical text) unless it is known,
    /// and says which it was. Concurrent claims of one key see one `new`.
    public func claim(kind: String, key: String, sagaID: String, request: String) async throws(Failure) -> Claim {
        try await write("claim \(kind) key \(key)") { db in
            let inserted = try db.execute("""
                INSERT INTO idempotency_key (kind, key, saga_id, request, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, [kind, key, sagaID, request, Date().timeIntervalSince1970])
            if inserted > 0 { return .new }
            guard let row = try db.row("SELECT request, published FROM idempotency_key WHERE kind = ? AND key = ?", [kind, key],
                source: "idempotency_key")
            else { return .new }
            let stored = try row.text("request")
            return stored == request ? .repeated(published: try row.boolean("published")) : .conflict(request: stored)
        }
    }

    /// Marks the start event of `key` acknowledged.
    public func markPublished(kind: String, key: String) async throws(Failure) {
        try await write("mark \(kind) key \(key) published") { db in
            try db.execute("UPDATE idempotency_key SET published = ? WHERE kind = ? AND key = ?", [true, kind, key])
        }
    }

    /// Whether the ledger can be read (a readiness check).
    public func check() async throws(Failure) {
        try await write("read") { db in _ = try db.rows("SELECT key FROM idempotency_key WHERE 1 = 0") }
    }

    private func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (ServiceTransaction) throws -> T) async throws(Failure) -> T {
        do {
            switch backend {
            case .sqlite(let pool): return try await pool.write { db in try body(ServiceTransaction(.sqlite(db))) }
            case .postgres(let store): return try await store.transaction(operation) { transaction in try body(ServiceTransaction(.postgres(transaction))) }
            }
        } catch {
            throw Failure(operation: operation, underlying: String(describing: error))
        }
    }
}
