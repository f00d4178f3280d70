import GRDB
import PostgresNIO
import SagaCore
import SagaPostgres

/// A service's open transaction on either of its databases: the seam its rules are written
/// against once. Statements use `?` placeholders and the SQL both SQLite and PostgreSQL accept
/// (`ON CONFLICT … DO NOTHING`, `CAST(… AS BIGINT)`); only the tables' DDL is per dialect.
///
/// The engine's part (inbox entry, remembered reply, outbox) goes to the same transaction
/// (``ParticipantTransaction``), so a command's business change, inbox entry and reply commit
/// together on both databases. Errors of the database are thrown as the database reports them
/// (GRDB's `DatabaseError`, postgres-nio's `PSQLError`), so the store's transaction reports
/// them as its own failures.
public struct ServiceTransaction {
    /// Which database runs the transaction.
    public enum Connection {
        /// GRDB's database on SQLite's writer (or reader) thread.
        case sqlite(Database)
        /// An open PostgreSQL transaction on one of the store's blocking threads.
        case postgres(PostgresTransaction)
    }

    /// The transaction.
    public let connection: Connection

    /// Wraps an open transaction.
    public init(_ connection: Connection) { self.connection = connection }

    /// Runs one statement; returns how many rows it inserted, updated or deleted.
    ///
    /// On SQLite the statement is compiled once per connection and kept (GRDB's statement
    /// cache), so pass values as `arguments`, never inside `sql`: the texts a service runs stay
    /// a small, fixed set.
    @discardableResult
    public func execute(_ sql: String, _ arguments: [any SQLValueConvertible] = []) throws -> Int {
        switch connection {
        case .sqlite(let db):
            try db.cachedStatement(sql: sql).execute(arguments: Self.grdbArguments(arguments))
            return db.changesCount
        case .postgres(let transaction):
            return try transaction.query(try Self.postgresQuery(sql, arguments)).changed
        }
    }

    /// Runs a query; returns its rows (`source` names them in errors: the table, usually). Like
    /// ``execute(_:_:)``, compiled once per connection on SQLite.
    public func rows(_ sql: String, _ arguments: [any SQLValueConvertible] = [], source: String = "query") throws -> [SQLRow] {
        switch connection {
        case .sqlite(let db):
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: Self.grdbArguments(arguments))
                .map { Self.row($0, source: source) }
        case .postgres(let transaction):
            return try transaction.query(try Self.postgresQuery(sql, arguments)).rows.map { try Self.row($0, source: source) }
        }
    }

    /// The first row of a query, if any.
    public func row(_ sql: String, _ arguments: [any SQLValueConvertible] = [], source: String = "query") throws -> SQLRow? {
        try rows(sql, arguments, source: source).first
    }

    /// Whether other transactions write at the same time (PostgreSQL), so that locks matter;
    /// `false` on SQLite, whose writes are serialized.
    public var runsConcurrently: Bool {
        switch connection {
        case .sqlite: false
        case .postgres: true
        }
    }

    /// `" FOR UPDATE"` on PostgreSQL, nothing on SQLite: appended to a `SELECT` whose answer a
    /// write then depends on (a balance, a stock level, a status), so two replicas cannot both
    /// decide on the same old value. SQLite needs none: its writes are serialized.
    public var forUpdate: String {
        switch connection {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// Serializes, until the transaction ends, every transaction that locks the same `key` (a
    /// transfer id, an order id) on PostgreSQL, where replicas of a service run commands of one
    /// subject concurrently; nothing on SQLite, whose writes are serialized already.
    public func lock(_ key: String) throws {
        try lock([key])
    }

    /// Takes every lock of `keys` (as ``lock(_:)`` takes one) in one statement and in one order,
    /// the same in every transaction whatever the order of `keys`: two transactions that each
    /// lock several subjects (a batch of commands, a SagaParticipant's `prepare`) then never
    /// each hold a lock the other waits for. A key held already in this transaction is taken
    /// again at once. Nothing on SQLite.
    public func lock(_ keys: some Sequence<String>) throws {
        guard case .postgres(let transaction) = connection else { return }
        let prefixed = Set(keys).map { Self.lockPrefix + $0 }
        guard !prefixed.isEmpty else { return }
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(prefixed)
        // PostgreSQL evaluates a volatile function of the select list after the ORDER BY, so the
        // locks are taken in the order of their numbers (equal numbers are one lock).
        _ = try transaction.query(PostgresQuery(unsafeSQL: """
            SELECT pg_advisory_xact_lock(number) IS NULL AS locked
            FROM (SELECT DISTINCT hashtext(key) AS number FROM unnest($1::text[]) AS key) AS keys ORDER BY number
            """, binds: bindings))
    }

    /// What every lock key starts with, so that a service's keys are apart from the engine's.
    private static let lockPrefix = "service-lock:"

    /// Runs `body` in a savepoint: kept when it returns `true`, rolled back (and the transaction
    /// goes on) when it returns `false` or throws.
    public func savepoint(_ body: () throws -> Bool) throws {
        switch connection {
        case .sqlite(let db):
            try db.inSavepoint { try body() ? .commit : .rollback }
        case .postgres:
            try execute("SAVEPOINT service_savepoint")
            let keep: Bool
            do {
                keep = try body()
            } catch {
                try execute("ROLLBACK TO SAVEPOINT service_savepoint")
                throw error
            }
            try execute(keep ? "RELEASE SAVEPOINT service_savepoint" : "ROLLBACK TO SAVEPOINT service_savepoint")
        }
    }
}

extension ServiceTransaction: ParticipantTransaction {
    /// Records the inbox entry; `false` when the message was processed before.
    public func recordInbox(_ entry: InboxEntry) throws -> Bool {
        switch connection {
        case .sqlite(let db): try db.recordInbox(entry)
        case .postgres(let transaction): try transaction.recordInbox(entry)
        }
    }

    /// The successful reply remembered under `idempotencyKey`.
    public func rememberedSuccess(consumer: String, idempotencyKey: String) throws -> RememberedSuccess? {
        switch connection {
        case .sqlite(let db): try db.rememberedSuccess(consumer: consumer, idempotencyKey: idempotencyKey)
        case .postgres(let transaction): try transaction.rememberedSuccess(consumer: consumer, idempotencyKey: idempotencyKey)
        }
    }

    /// Remembers a successful reply; the first one for a key stays.
    public func rememberSuccess(consumer: String, idempotencyKey: String, payload: EncodedPayload?) throws {
        switch connection {
        case .sqlite(let db): try db.rememberSuccess(consumer: consumer, idempotencyKey: idempotencyKey, payload: payload)
        case .postgres(let transaction): try transaction.rememberSuccess(consumer: consumer, idempotencyKey: idempotencyKey, payload: payload)
        }
    }

    /// Writes `messages` to the outbox in this transaction.
    public func enqueue(_ messages: [OutgoingMessage]) throws {
        switch connection {
        case .sqlite(let db): try db.enqueue(messages)
        case .postgres(let transaction): try transaction.enqueue(messages)
        }
    }
}
