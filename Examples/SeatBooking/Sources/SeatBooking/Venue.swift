import GRDB
import SagaCore

/// The venue as a saga participant: holds and releases seats in its own table, and charges
/// cards (declining any price over ``cardLimitMinor``), in the same SQLite transaction as the
/// engine's inbox and outbox rows.
public enum Venue {
    /// Charges above this are declined.
    public static let cardLimitMinor: Int64 = 10_000

    /// Creates the venue's table.
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS seat_hold (booking_id TEXT PRIMARY KEY, seat TEXT NOT NULL, released INTEGER NOT NULL)")
    }

    /// Handles one command inside the participant's transaction.
    @Sendable public static func handle(_ command: ParticipantCommand, _ db: Database) throws -> ParticipantReply {
        let seat = try command.decode(SeatCommand.self)
        switch seat.action {
        case "hold":
            try db.execute(
                sql: "INSERT INTO seat_hold (booking_id, seat, released) VALUES (?, ?, 0) ON CONFLICT DO NOTHING",
                arguments: [seat.bookingID, seat.seat]
            )
            return try .succeeded(SeatHold(holdID: "hold-" + seat.bookingID))
        case "release":
            try db.execute(sql: "UPDATE seat_hold SET released = 1 WHERE booking_id = ?", arguments: [seat.bookingID])
            return .succeeded(nil)
        case "charge":
            return seat.priceMinor > cardLimitMinor ? .businessFailure(reason: "card declined", nil) : .succeeded(nil)
        default:
            return .businessFailure(reason: "unknown action \(seat.action)", nil)
        }
    }

    /// Whether the seat of `bookingID` is held (and not released).
    public static func isHeld(_ bookingID: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT released = 0 FROM seat_hold WHERE booking_id = ?", arguments: [bookingID]) ?? false
    }
}
