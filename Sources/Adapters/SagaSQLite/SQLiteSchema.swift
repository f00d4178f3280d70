import SagaCore
import GRDB

/// The SQLite schema of ``SQLiteSagaStore``, as ordered migrations (never edit a shipped one: add one).
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: instances, history, outbox, inbox, replays") { db in
            try db.execute(sql: """
                CREATE TABLE saga_instance (
                    saga_id TEXT PRIMARY KEY NOT NULL,
                    saga_type TEXT NOT NULL,
                    definition_version INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    step_index INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    request_sequence INTEGER NOT NULL,
                    pending_request_id TEXT,
                    step_started_at REAL,
                    deadline REAL,
                    deadline_kind TEXT,
                    completed_steps TEXT NOT NULL,
                    data BLOB NOT NULL,
                    failure_reason TEXT,
                    version INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX saga_instance_deadline ON saga_instance(deadline) WHERE deadline IS NOT NULL;
                CREATE INDEX saga_instance_status ON saga_instance(status, created_at);

                CREATE TABLE saga_step_history (
                    saga_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    request_id TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    step_index INTEGER NOT NULL,
                    step_name TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    outcome TEXT,
                    error TEXT,
                    late_reply_status TEXT,
                    late_reply_id TEXT,
                    late_reply_at REAL,
                    PRIMARY KEY (saga_id, sequence)
                ) WITHOUT ROWID;
                CREATE INDEX saga_step_history_request ON saga_step_history(request_id);

                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic TEXT NOT NULL,
                    key BLOB NOT NULL,
                    value BLOB NOT NULL,
                    headers BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    published_at REAL
                );
                CREATE INDEX outbox_pending ON outbox(id) WHERE published_at IS NULL;

                CREATE TABLE inbox (
                    consumer TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    "offset" INTEGER NOT NULL,
                    processed_at REAL NOT NULL,
                    PRIMARY KEY (consumer, message_id)
                ) WITHOUT ROWID;

                CREATE TABLE dlq_replay (
                    replay_id TEXT PRIMARY KEY NOT NULL,
                    dlq_topic TEXT NOT NULL,
                    dlq_partition INTEGER NOT NULL,
                    dlq_offset INTEGER NOT NULL,
                    original_topic TEXT NOT NULL,
                    forced INTEGER NOT NULL,
                    requested_at REAL NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT,
                    outcome_at REAL
                ) WITHOUT ROWID;
                CREATE INDEX dlq_replay_source ON dlq_replay(dlq_topic, dlq_partition, dlq_offset);
                """)
        }
        migrator.registerMigration("v2: participant replies by idempotency key") { db in
            try db.execute(sql: """
                CREATE TABLE participant_reply (
                    consumer TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    message_type TEXT,
                    payload BLOB,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (consumer, idempotency_key)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3: uncertain steps") { db in
            try db.execute(sql: """
                ALTER TABLE saga_instance ADD COLUMN uncertain_step INTEGER;
                ALTER TABLE saga_step_history ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v4: request send time and trace context") { db in
            try db.execute(sql: """
                ALTER TABLE saga_instance ADD COLUMN request_sent_at REAL;
                ALTER TABLE saga_instance ADD COLUMN trace_parent TEXT;
                ALTER TABLE saga_instance ADD COLUMN trace_state TEXT;
                """)
        }
        migrator.registerMigration("v5: steps over a list") { db in
            try db.execute(sql: """
                ALTER TABLE saga_instance ADD COLUMN list_progress TEXT;
                ALTER TABLE saga_step_history ADD COLUMN item INTEGER;
                """)
        }
        migrator.registerMigration("v6: audit trail") { db in
            try db.execute(sql: """
                CREATE TABLE audit_trail (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    role TEXT,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    note TEXT,
                    outcome TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX audit_trail_target ON audit_trail(target, sequence);
                """)
        }
        migrator.registerMigration("v7: saga timeline") { db in
            try db.execute(sql: """
                CREATE TABLE saga_timeline (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    saga_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    at REAL NOT NULL,
                    step TEXT,
                    attempt INTEGER,
                    item INTEGER,
                    topic TEXT,
                    message_type TEXT,
                    message_id TEXT,
                    causation_id TEXT,
                    payload BLOB,
                    outcome TEXT,
                    detail TEXT
                );
                CREATE INDEX saga_timeline_saga ON saga_timeline(saga_id, id);
                """)
        }
        migrator.registerMigration("v8: expiry indexes for the purge") { db in
            // The purge finds expired rows through these (a bounded range at the old end of each)
            // instead of reading the tables whole; new rows append at the index's far end.
            try db.execute(sql: """
                CREATE INDEX outbox_published ON outbox(published_at) WHERE published_at IS NOT NULL;
                CREATE INDEX inbox_processed ON inbox(processed_at);
                CREATE INDEX participant_reply_created ON participant_reply(created_at);
                """)
        }
        migrator.registerMigration("v9: tombstones of removed finished sagas") { db in
            // What the retention of finished sagas keeps of each one it removes: a second start
            // of the same id is refused through it, and its outcome can still be told.
            try db.execute(sql: """
                CREATE TABLE saga_tombstone (
                    saga_id TEXT PRIMARY KEY NOT NULL,
                    saga_type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    ended_at REAL NOT NULL,
                    removed_at REAL NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}

/// Encodes headers as one blob: for each header, a 4-byte big-endian key length, the key's
/// UTF-8 bytes, a 4-byte value length and the value.
enum HeaderBlob {
    static func encode(_ headers: [SagaHeader]) -> [UInt8] {
        var out: [UInt8] = []
        func append(_ bytes: some Collection<UInt8>) {
            let n = UInt32(bytes.count)
            out += [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
            out += bytes
        }
        for header in headers {
            append(Array(header.key.utf8))
            append(header.value)
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [SagaHeader]? {
        var headers: [SagaHeader] = []
        var i = 0
        func take() -> [UInt8]? {
            guard i + 4 <= bytes.count else { return nil }
            let n = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            i += 4
            guard i + n <= bytes.count else { return nil }
            defer { i += n }
            return Array(bytes[i..<(i + n)])
        }
        while i < bytes.count {
            guard let key = take(), let value = take(), let name = String(validating: key, as: UTF8.self) else {
                return nil
            }
            headers.append(SagaHeader(key: name, value: value))
        }
        return headers
    }
}
