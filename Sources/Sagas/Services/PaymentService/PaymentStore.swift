import Foundation
import GRDB
import SagaPostgres
import SagaCore
import ServiceKit

/// A recorded payment: one per order, with the simulator's decision.
public struct Payment: Sendable, Hashable {
    /// The order (UUID text).
    public var orderID: String
    /// The customer (UUID text).
    public var customerID: String
    /// The amount in minor units.
    public var amountMinor: Int64
    /// ISO 4217.
    public var currency: String
    /// `AUTHORIZED`, `DECLINED`, `VOIDED` or `REFUNDED`.
    public var status: String
    /// Set when authorized.
    public var authorizationID: String?
    /// Set when declined.
    public var declineCode: String?
}

/// The payment service's rules: one payment per order (a repeated authorize returns the first
/// decision), every decision recorded, voids and refunds only of authorized payments. The
/// order id is the primary key: a replica racing another on the same order fails to insert and,
/// retried, finds the first decision.
public enum PaymentStore {
    /// Creates the tables (SQLite).
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS payments (
                order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
                token TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('AUTHORIZED', 'DECLINED', 'VOIDED', 'REFUNDED')),
                authorization_id TEXT UNIQUE, decline_code TEXT, decline_message TEXT, created_at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS customer_limits (customer_id TEXT PRIMARY KEY, limit_minor INTEGER NOT NULL);
            """)
    }

    /// The tables on PostgreSQL, in the payment role's schema.
    public static let postgresMigrations: [PostgresMigration] = [
        PostgresMigration(identifier: "payment v1: payments, customer limits", statements: [
            """
            CREATE TABLE payments (
                order_id text PRIMARY KEY, customer_id text NOT NULL, amount_minor bigint NOT NULL, currency text NOT NULL,
                token text NOT NULL, status text NOT NULL CHECK (status IN ('AUTHORIZED', 'DECLINED', 'VOIDED', 'REFUNDED')),
                authorization_id text UNIQUE, decline_code text, decline_message text, created_at double precision NOT NULL)
            """,
            "CREATE TABLE customer_limits (customer_id text PRIMARY KEY, limit_minor bigint NOT NULL)",
        ])
    ]

    /// Sets a customer's limit.
    public static func setLimit(customerID: String, limitMinor: Int64, in db: ServiceTransaction) throws {
        try db.execute("""
            INSERT INTO customer_limits (customer_id, limit_minor) VALUES (?, ?)
            ON CONFLICT (customer_id) DO UPDATE SET limit_minor = excluded.limit_minor
            """, [customerID, limitMinor])
    }

    /// Authorizes `amountMinor` for `orderID`, or returns the decision already recorded for it.
    public static func authorize(
        orderID: String, customerID: String, amountMinor: Int64, currency: String, token: String,
        simulator: PaymentSimulator, in db: ServiceTransaction
    ) throws -> StepResult {
        try db.lock("order/\(orderID)")
        if let row = try db.row("SELECT * FROM payments WHERE order_id = ?", [orderID], source: "payments") {
            let existing = try payment(row)
            if let id = existing.authorizationID { return .done(id) }
            return .refused(.code(existing.declineCode ?? "PAYMENT_DECLINED", try row.optionalText("decline_message") ?? "declined"))
        }
        let limit = try db.row("SELECT limit_minor FROM customer_limits WHERE customer_id = ?", [customerID], source: "customer_limits")?
            .integer("limit_minor")
        let decision = simulator.decide(amountMinor: amountMinor, token: token, limitMinor: limit)
        let result: StepResult
        switch decision {
        case .approved: result = .done(DeterministicUUID.make("authorization/\(orderID)"))
        case .declined(let code, let message): result = .refused(.code(code, message))
        }
        try db.execute("""
            INSERT INTO payments (order_id, customer_id, amount_minor, currency, token, status, authorization_id,
                decline_code, decline_message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [orderID, customerID, amountMinor, currency, token, result.resultID == nil ? "DECLINED" : "AUTHORIZED",
                result.resultID, result.failure?.code, result.failure?.message, Date().timeIntervalSince1970])
        return result
    }

    /// Voids (`refund == false`) or refunds an authorized payment; a payment that is not
    /// authorized (unknown, declined, already voided or refunded) is left as it is.
    /// Returns whether anything changed.
    public static func cancel(orderID: String, refund: Bool, in db: ServiceTransaction) throws -> Bool {
        try db.execute("UPDATE payments SET status = ? WHERE order_id = ? AND status = 'AUTHORIZED'",
            [refund ? "REFUNDED" : "VOIDED", orderID]) > 0
    }

    /// The payment of `orderID`, if any.
    public static func payment(orderID: String, in db: ServiceTransaction) throws -> Payment? {
        try db.row("SELECT * FROM payments WHERE order_id = ?", [orderID], source: "payments").map(Self.payment)
    }

    /// Every payment, oldest first.
    public static func all(in db: ServiceTransaction) throws -> [Payment] {
        try db.rows("SELECT * FROM payments ORDER BY created_at, order_id", source: "payments").map(Self.payment)
    }

    private static func payment(_ row: SQLRow) throws -> Payment {
        Payment(orderID: try row.text("order_id"), customerID: try row.text("customer_id"), amountMinor: try row.integer("amount_minor"),
            currency: try row.text("currency"), status: try row.text("status"), authorizationID: try row.optionalText("authorization_id"),
            declineCode: try row.optionalText("decline_code"))
    }
}
