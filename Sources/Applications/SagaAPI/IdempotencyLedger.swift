import Foundation
import GRDB

/// Remembers which idempotency keys the API has seen, for starts that have no store of their
/// own to ask (a `TransferRequested` is only published): the saga id each key named, the request
/// it came with, and whether its start event was acknowledged by the broker. One SQLite file
/// (the `api` role's database).
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

    private let pool: DatabasePool
    /// The file path.
    public let path: String

    /// Opens (creating if needed) the ledger at `path`.
    public init(path: String) throws(Failure) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
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
        } catch {
            throw Failure(operation: "open \(path)", underlying: String(describing: error))
        }
    }

    /// Records `key` of `kind` for `sagaID` and `request` (its canonical text) unless it is known,
    /// and says which it was. Concurrent claims of one key see one `new`.
    public func claim(kind: String, key: String, sagaID: String, request: String) async throws(Failure) -> Claim {
        do {
            return try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO idempotency_key (kind, key, saga_id, request, created_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT DO NOTHING
                        """,
                    arguments: [kind, key, sagaID, request, Date().timeIntervalSince1970])
                if db.changesCount > 0 { return .new }
                guard let row = try Row.fetchOne(db, sql: "SELECT request, published FROM idempotency_key WHERE kind = ? AND key = ?",
                    arguments: [kind, key])
                else { return .new }
                let stored: String = row["request"]
                return stored == request ? .repeated(published: row["published"]) : .conflict(request: stored)
            }
        } catch {
            throw Failure(operation: "claim \(kind) key \(key)", underlying: String(describing: error))
        }
    }

    /// Marks the start event of `key` acknowledged.
    public func markPublished(kind: String, key: String) async throws(Failure) {
        do {
            try await pool.write { db in
                try db.execute(sql: "UPDATE idempotency_key SET published = 1 WHERE kind = ? AND key = ?", arguments: [kind, key])
            }
        } catch {
            throw Failure(operation: "mark \(kind) key \(key) published", underlying: String(describing: error))
        }
    }

    /// Whether the ledger can be read (a readiness check).
    public func check() async throws(Failure) {
        do {
            _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency_key WHERE 0") }
        } catch {
            throw Failure(operation: "read", underlying: String(describing: error))
        }
    }
}
