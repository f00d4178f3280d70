import Foundation
import GRDB
import SagaPostgres
import SagaCore
import ServiceKit

/// A recorded notification and its delivery state.
public struct NotificationRecord: Sendable, Hashable {
    /// What to deliver.
    public var notification: NotificationMessage
    /// `PENDING`, `DELIVERED` or `FAILED` (gave up).
    public var status: String
    /// Delivery attempts so far.
    public var attempts: Int
    /// The last delivery error.
    public var lastError: String?
}

/// The notification service's tables: one row per (subject, kind, recipient), so a repeated
/// command records nothing new; rows wait `PENDING` until a ``NotificationDispatcher`` delivers them.
public enum NotificationStore {
    /// Creates the tables (SQLite).
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS notifications (
                notification_id TEXT PRIMARY KEY, subject_id TEXT NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL,
                parameters TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
                attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, next_attempt_at REAL NOT NULL, channel TEXT,
                created_at REAL NOT NULL, UNIQUE (subject_id, kind, recipient));
            """)
    }

    /// The tables on PostgreSQL, in the notification role's schema.
    public static let postgresMigrations: [PostgresMigration] = [
        PostgresMigration(identifier: "notification v1: notifications", statements: [
            """
            CREATE TABLE notifications (
                notification_id text PRIMARY KEY, subject_id text NOT NULL, kind text NOT NULL, recipient text NOT NULL,
                parameters text NOT NULL, status text NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
                attempts bigint NOT NULL DEFAULT 0, last_error text, next_attempt_at double precision NOT NULL, channel text,
                created_at double precision NOT NULL, UNIQUE (subject_id, kind, recipient))
            """,
            "CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'PENDING'",
        ])
    ]

    /// Records a notification (once per subject, kind and recipient); returns its id.
    public static func record(subjectID: String, kind: String, recipient: String, parameters: [String: String], now: Date = Date(),
        in db: ServiceTransaction) throws -> String
    {
        let id = DeterministicUUID.make("notification/\(subjectID)/\(kind)/\(recipient)")
        let json = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        try db.execute("""
            INSERT INTO notifications (notification_id, subject_id, kind, recipient, parameters, status, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?) ON CONFLICT DO NOTHING
            """, [id, subjectID, kind, recipient, json, now.timeIntervalSince1970, now.timeIntervalSince1970])
        return id
    }

    /// Pending notifications due at `now`, oldest first.
    static func due(now: Date, limit: Int, in db: ServiceTransaction) throws -> [NotificationRecord] {
        try db.rows("""
            SELECT * FROM notifications WHERE status = 'PENDING' AND next_attempt_at <= ? ORDER BY created_at LIMIT ?
            """, [now.timeIntervalSince1970, limit], source: "notifications").map(record)
    }

    /// When the next pending notification is due, if any.
    static func nextDue(in db: ServiceTransaction) throws -> Date? {
        try db.row("SELECT MIN(next_attempt_at) AS due FROM notifications WHERE status = 'PENDING'", source: "notifications")?
            .optionalReal("due").map(Date.init(timeIntervalSince1970:))
    }

    /// Records the outcome of one delivery attempt.
    static func finish(_ id: String, status: String, error: String?, channel: String, nextAttempt: Date, in db: ServiceTransaction) throws {
        try db.execute("""
            UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, channel = ?, next_attempt_at = ?
            WHERE notification_id = ?
            """, [status, error, channel, nextAttempt.timeIntervalSince1970, id])
    }

    /// Every notification about `subjectID`, oldest first.
    public static func about(subjectID: String, in db: ServiceTransaction) throws -> [NotificationRecord] {
        try db.rows("SELECT * FROM notifications WHERE subject_id = ? ORDER BY created_at, kind, recipient",
            [subjectID], source: "notifications").map(record)
    }

    private static func record(_ row: SQLRow) throws -> NotificationRecord {
        let json = try row.text("parameters")
        let parameters = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        return NotificationRecord(
            notification: NotificationMessage(notificationID: try row.text("notification_id"), subjectID: try row.text("subject_id"),
                kind: try row.text("kind"), recipient: try row.text("recipient"), parameters: parameters),
            status: try row.text("status"), attempts: Int(try row.integer("attempts")), lastError: try row.optionalText("last_error")
        )
    }
}
