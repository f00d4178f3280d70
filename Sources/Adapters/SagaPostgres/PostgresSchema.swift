import Foundation
import PostgresNIO

/// The PostgreSQL schema of ``PostgresSagaStore``, as ordered migrations (never edit a shipped
/// one: add one). The tables mirror the SQLite store's after its migration "v5: steps over a list";
/// the claim columns let several replicas share the outbox and the timers.
///
/// ``migrate(_:schema:)`` runs in one transaction under a transaction-level advisory lock keyed
/// by the schema's name, so replicas starting at once apply each migration exactly once: the
/// second waits for the first to commit, then finds nothing left to do.
enum PostgresSchema {
    typealias Migration = PostgresMigration

    static let migrations: [Migration] = [
        Migration(identifier: "v1: instances, history, outbox, inbox, replays, participant replies, claims", statements: [
            """
            CREATE TABLE saga_instance (
                saga_id text PRIMARY KEY,
                saga_type text NOT NULL,
                definition_version bigint NOT NULL,
                status text NOT NULL,
                phase text NOT NULL,
                step_index bigint NOT NULL,
                attempt bigint NOT NULL,
                request_sequence bigint NOT NULL,
                pending_request_id text,
                step_started_at double precision,
                deadline double precision,
                deadline_kind text,
                completed_steps bigint[] NOT NULL,
                uncertain_step bigint,
                data bytea NOT NULL,
                failure_reason text,
                version bigint NOT NULL,
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                request_sent_at double precision,
                trace_parent text,
                trace_state text,
                list_progress jsonb,
                timer_claimed_by text,
                timer_claimed_until double precision
            )
            """,
            "CREATE INDEX saga_instance_deadline ON saga_instance (deadline) WHERE deadline IS NOT NULL",
            "CREATE INDEX saga_instance_status ON saga_instance (status, created_at)",
            "CREATE INDEX saga_instance_created ON saga_instance (created_at DESC, saga_id DESC)",
            """
            CREATE TABLE saga_step_history (
                saga_id text NOT NULL,
                sequence bigint NOT NULL,
                request_id text NOT NULL,
                phase text NOT NULL,
                step_index bigint NOT NULL,
                step_name text NOT NULL,
                attempt bigint NOT NULL,
                started_at double precision NOT NULL,
                finished_at double precision,
                outcome text,
                error text,
                late_reply_status text,
                late_reply_id text,
                late_reply_at double precision,
                uncertain boolean NOT NULL DEFAULT false,
                item bigint,
                PRIMARY KEY (saga_id, sequence)
            )
            """,
            "CREATE INDEX saga_step_history_request ON saga_step_history (request_id)",
            """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                topic text NOT NULL,
                key bytea NOT NULL,
                value bytea NOT NULL,
                header_keys text[] NOT NULL,
                header_values bytea[] NOT NULL,
                created_at double precision NOT NULL,
                published_at double precision,
                claimed_by text,
                claimed_until double precision
            )
            """,
            "CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL",
            "CREATE INDEX outbox_pending_key ON outbox (topic, key, id) WHERE published_at IS NULL",
            """
            CREATE TABLE inbox (
                consumer text NOT NULL,
                message_id text NOT NULL,
                topic text NOT NULL,
                partition integer NOT NULL,
                "offset" bigint NOT NULL,
                processed_at double precision NOT NULL,
                PRIMARY KEY (consumer, message_id)
            )
            """,
            "CREATE INDEX inbox_processed ON inbox (processed_at)",
            """
            CREATE TABLE dlq_replay (
                replay_id text PRIMARY KEY,
                dlq_topic text NOT NULL,
                dlq_partition integer NOT NULL,
                dlq_offset bigint NOT NULL,
                original_topic text NOT NULL,
                forced boolean NOT NULL,
                requested_at double precision NOT NULL,
                outcome text NOT NULL,
                detail text,
                outcome_at double precision
            )
            """,
            "CREATE INDEX dlq_replay_source ON dlq_replay (dlq_topic, dlq_partition, dlq_offset)",
            """
            CREATE TABLE participant_reply (
                consumer text NOT NULL,
                idempotency_key text NOT NULL,
                message_type text,
                payload bytea,
                created_at double precision NOT NULL,
                PRIMARY KEY (consumer, idempotency_key)
            )
            """,
        ]),
        Migration(identifier: "v2: audit trail", statements: [
            """
            CREATE TABLE audit_trail (
                sequence bigserial PRIMARY KEY,
                id text NOT NULL UNIQUE,
                at double precision NOT NULL,
                actor text NOT NULL,
                role text,
                action text NOT NULL,
                target text NOT NULL,
                note text,
                outcome text NOT NULL,
                detail text
            )
            """,
            "CREATE INDEX audit_trail_target ON audit_trail (target, sequence)",
        ]),
        Migration(identifier: "v3: saga timeline", statements: [
            """
            CREATE TABLE saga_timeline (
                id bigserial PRIMARY KEY,
                saga_id text NOT NULL,
                kind text NOT NULL,
                at double precision NOT NULL,
                step text,
                attempt bigint,
                item bigint,
                topic text,
                message_type text,
                message_id text,
                causation_id text,
                payload bytea,
                outcome text,
                detail text
            )
            """,
            "CREATE INDEX saga_timeline_saga ON saga_timeline (saga_id, id)",
        ]),
        Migration(identifier: "v4: expiry indexes for the purge", statements: [
            // With inbox_processed (v1), the purge finds expired rows as a range at each index's old end.
            "CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL",
            "CREATE INDEX participant_reply_created ON participant_reply (created_at)",
        ]),
        Migration(identifier: "v5: tombstones of removed finished sagas", statements: [
            // What the retention of finished sagas keeps of each one it removes: a second start
            // of the same id is refused through it, and its outcome can still be told.
            """
            CREATE TABLE saga_tombstone (
                saga_id text PRIMARY KEY,
                saga_type text NOT NULL,
                status text NOT NULL,
                created_at double precision NOT NULL,
                ended_at double precision NOT NULL,
                removed_at double precision NOT NULL
            )
            """,
        ]),
        Migration(identifier: "v6: indexes of the claims", statements: [
            // The claimed rows alone (a claim ends when its row is published or its saga changes),
            // so finding other replicas' claims reads a few rows, not every pending one.
            "CREATE INDEX outbox_claimed ON outbox (claimed_until) WHERE claimed_by IS NOT NULL",
            "CREATE INDEX saga_instance_timer_claimed ON saga_instance (timer_claimed_until) WHERE timer_claimed_by IS NOT NULL",
            // Read by the claim query before v6 only; every outbox insert and claim kept it up to date.
            "DROP INDEX outbox_pending_key",
        ]),
    ]

    /// The identifiers of ``migrations``, in order.
    static var identifiers: [String] { migrations.map(\.identifier) }

    /// Whether `name` may name the store's schema: a plain lower-case identifier, so that quoted
    /// (``quote(_:)``) it names the same schema as unquoted, and cannot be mistaken for another one.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 63 else { return false }
        let lower = "abcdefghijklmnopqrstuvwxyz_".unicodeScalars
        let rest = "abcdefghijklmnopqrstuvwxyz_0123456789".unicodeScalars
        return lower.contains(first) && name.unicodeScalars.allSatisfy { rest.contains($0) } && !name.hasPrefix("pg_")
    }

    /// `name` (a valid name: ``isValidName(_:)``) as a quoted identifier for SQL text: a valid name
    /// may still be a reserved word (`order`, the order role's default schema), which SQL takes
    /// as a name only in quotes.
    static func quote(_ name: String) -> String { "\"\(name)\"" }

    /// Creates `schema` if needed and applies the migrations it has not had, in `transaction`
    /// (already open, its search path set to `schema`); returns the identifiers it applied.
    ///
    /// - Throws: ``PostgresStoreError/newerSchema(schema:unknown:)`` when the schema holds
    ///   migrations this build does not know; postgres-nio's error when a statement fails.
    ///
    /// `extra` are the migrations of the tables a participant service keeps beside the store's
    /// (``PostgresSagaStore/open(_:migrations:logger:)``), applied after the store's own under the same lock.
    static func migrate(_ transaction: PostgresTransaction, schema: String, extra: [Migration] = []) throws -> [String] {
        try transaction.query("SELECT pg_advisory_xact_lock(hashtext(\("saga-store-migrations:" + schema)))")
        let quoted = quote(schema)
        try transaction.execute("CREATE SCHEMA IF NOT EXISTS \(quoted)")
        try transaction.execute("SET LOCAL search_path TO \(quoted)")
        try transaction.execute("""
            CREATE TABLE IF NOT EXISTS \(quoted).saga_migrations (
                identifier text PRIMARY KEY, applied_at double precision NOT NULL)
            """)
        let applied = try transaction.execute("SELECT identifier FROM \(quoted).saga_migrations").rows.map {
            try PostgresRowReader(row: $0, table: "saga_migrations", key: "?")("identifier", String.self)
        }
        let all = migrations + extra
        let unknown = applied.filter { identifier in !all.contains { $0.identifier == identifier } }
        guard unknown.isEmpty else { throw PostgresStoreError.newerSchema(schema: schema, unknown: unknown) }
        var done: [String] = []
        for migration in all where !applied.contains(migration.identifier) {
            for statement in migration.statements { try transaction.execute(statement) }
            try transaction.query("""
                INSERT INTO saga_migrations (identifier, applied_at)
                VALUES (\(migration.identifier), \(Date().timeIntervalSince1970))
                """)
            done.append(migration.identifier)
        }
        return done
    }
}

/// A versioned change of a PostgreSQL schema: its identifier (recorded in the schema's
/// `saga_migrations` table, so it runs once) and its statements, applied in one transaction
/// under the schema's migration lock. Never edit a shipped one: add one.
public struct PostgresMigration: Sendable, Hashable {
    /// Its name, unique within the schema (e.g. `account v1: accounts, clearing, postings`).
    public let identifier: String
    /// Its SQL statements, in order.
    public let statements: [String]

    /// Creates a migration.
    public init(identifier: String, statements: [String]) {
        self.identifier = identifier
        self.statements = statements
    }
}
