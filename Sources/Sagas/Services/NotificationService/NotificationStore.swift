import Foundation
import GRDB
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
    /// Creates the tables.
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS notifications (
                notification_id TEXT PRIMARY KEY, subject_id TEXT NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL,
                parameters TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
                attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, next_attempt_at REAL NOT NULL, channel TEXT,
                created_at REAL NOT NULL, UNIQUE (subject_id, kind, recipient));
            """)
    }

    /// Records a notification (once per subject, kind and recipient); returns its id.
    public static func record(subjectID: String, kind: String, recipient: String, parameters: [String: String], now: Date = Date(),
        in db: Database) throws -> String
    {
        let id = DeterministicUUID.make("notification/\(subjectID)/\(kind)/\(recipient)")
        let json = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO notifications (notification_id, subject_id, kind, recipient, parameters, status, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?) ON CONFLICT DO NOTHING
            """, arguments: [id, subjectID, kind, recipient, json, now.timeIntervalSince1970, now.timeIntervalSince1970])
        return id
    }

    /// Pending notifications due at `now`, oldest first.
    static func due(now: Date, limit: Int, in db: Database) throws -> [NotificationRecord] {
        try Row.fetchAll(db, sql: """
            SELECT * FROM notifications WHERE status = 'PENDING' AND next_attempt_at <= ? ORDER BY created_at LIMIT ?
            """, arguments: [now.timeIntervalSince1970, limit]).map(record)
    }

    /// When the next pending notification is due, if any.
    static func nextDue(in db: Database) throws -> Date? {
        try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM notifications WHERE status = 'PENDING'")
            .map(Date.init(timeIntervalSince1970:))
    }

    /// Records the outcome of one delivery attempt.
    static func finish(_ id: String, status: String, error: String?, channel: String, nextAttempt: Date, in db: Database) throws {
        try db.execute(sql: """
            UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, channel = ?, next_attempt_at = ?
            WHERE notification_id = ?
            """, arguments: [status, error, channel, nextAttempt.timeIntervalSince1970, id])
    }

    /// Every notification about `subjectID`, oldest first.
    public static func about(subjectID: String, in db: Database) throws -> [NotificationRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM notifications WHERE subject_id = ? ORDER BY created_at, kind, recipient",
            arguments: [subjectID]).map(record)
    }

    private static func record(_ row: Row) throws -> NotificationRecord {
        let json: String = row["parameters"]
        let parameters = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        return NotificationRecord(
            notification: NotificationMessage(notificationID: row["notification_id"], subjectID: row["subject_id"], kind: row["kind"],
                recipient: row["recipient"], parameters: parameters),
            status: row["status"], attempts: row["attempts"], lastError: row["last_error"]
        )
    }
}
