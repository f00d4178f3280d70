import Foundation
import GRDB
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
/// decision), every decision recorded, voids and refunds only of authorized payments.
public enum PaymentStore {
    /// Creates the tables.
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS payments (
                order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
                token TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('AUTHORIZED', 'DECLINED', 'VOIDED', 'REFUNDED')),
                authorization_id TEXT UNIQUE, decline_code TEXT, decline_message TEXT, created_at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS customer_limits (customer_id TEXT PRIMARY KEY, limit_minor INTEGER NOT NULL);
            """)
    }

    /// Sets a customer's limit.
    public static func setLimit(customerID: String, limitMinor: Int64, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO customer_limits (customer_id, limit_minor) VALUES (?, ?)",
            arguments: [customerID, limitMinor])
    }

    /// Authorizes `amountMinor` for `orderID`, or returns the decision already recorded for it.
    public static func authorize(
        orderID: String, customerID: String, amountMinor: Int64, currency: String, token: String,
        simulator: PaymentSimulator, in db: Database
    ) throws -> StepResult {
        if let existing = try payment(orderID: orderID, in: db) {
            if let id = existing.authorizationID { return .done(id) }
            let message = try String.fetchOne(db, sql: "SELECT decline_message FROM payments WHERE order_id = ?", arguments: [orderID])
            return .refused(.code(existing.declineCode ?? "PAYMENT_DECLINED", message ?? "declined"))
        }
        let limit = try Int64.fetchOne(db, sql: "SELECT limit_minor FROM customer_limits WHERE customer_id = ?", arguments: [customerID])
        let decision = simulator.decide(amountMinor: amountMinor, token: token, limitMinor: limit)
        let result: StepResult
        switch decision {
        case .approved: result = .done(DeterministicUUID.make("authorization/\(orderID)"))
        case .declined(let code, let message): result = .refused(.code(code, message))
        }
        try db.execute(sql: """
            INSERT INTO payments (order_id, customer_id, amount_minor, currency, token, status, authorization_id,
                decline_code, decline_message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [orderID, customerID, amountMinor, currency, token, result.resultID == nil ? "DECLINED" : "AUTHORIZED",
                result.resultID, result.failure?.code, result.failure?.message, Date().timeIntervalSince1970])
        return result
    }

    /// Voids (`refund == false`) or refunds an authorized payment; a payment that is not
    /// authorized (unknown, declined, already voided or refunded) is left as it is.
    /// Returns whether anything changed.
    public static func cancel(orderID: String, refund: Bool, in db: Database) throws -> Bool {
        try db.execute(sql: "UPDATE payments SET status = ? WHERE order_id = ? AND status = 'AUTHORIZED'",
            arguments: [refund ? "REFUNDED" : "VOIDED", orderID])
        return db.changesCount > 0
    }

    /// The payment of `orderID`, if any.
    public static func payment(orderID: String, in db: Database) throws -> Payment? {
        try Row.fetchOne(db, sql: "SELECT * FROM payments WHERE order_id = ?", arguments: [orderID]).map(Self.payment)
    }

    /// Every payment, oldest first.
    public static func all(in db: Database) throws -> [Payment] {
        try Row.fetchAll(db, sql: "SELECT * FROM payments ORDER BY created_at, order_id").map(Self.payment)
    }

    private static func payment(_ row: Row) -> Payment {
        Payment(orderID: row["order_id"], customerID: row["customer_id"], amountMinor: row["amount_minor"], currency: row["currency"],
            status: row["status"], authorizationID: row["authorization_id"], declineCode: row["decline_code"])
    }
}
