import Foundation
import GRDB
import SagaContracts
import SagaCore
import ServiceKit

/// An order line.
public struct OrderLine: Sendable, Hashable {
    /// The product.
    public var productID: UUID
    /// The product's SKU.
    public var sku: String
    /// How many (positive).
    public var quantity: Int32
    /// The price of one, in the order currency's minor units (not negative).
    public var unitPriceMinor: Int64

    /// Creates a line.
    public init(productID: UUID, sku: String, quantity: Int32, unitPriceMinor: Int64) {
        self.productID = productID
        self.sku = sku
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
    }
}

/// An order as stored.
public struct Order: Sendable, Hashable {
    /// The order id (also the saga id).
    public var orderID: UUID
    /// The customer.
    public var customerID: UUID
    /// `PENDING`, `CONFIRMED` or `CANCELLED`.
    public var status: String
    /// ISO 4217.
    public var currency: String
    /// The card token.
    public var paymentToken: String
    /// The lines.
    public var lines: [OrderLine]
    /// Set when confirmed.
    public var reservationID: String?
    /// Set when confirmed.
    public var authorizationID: String?
    /// Set when cancelled.
    public var cancelCode: String?

    /// The sum of quantity × unit price.
    public var totalMinor: Int64 { lines.reduce(0) { $0 + Int64($1.quantity) * $1.unitPriceMinor } }
}

/// The order service's rules: orders are created `PENDING` (with their `OrderPlaced` event in
/// the outbox, in the same transaction) and move once to `CONFIRMED` or `CANCELLED`.
public enum OrderStore {
    /// Creates the tables.
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS orders (
                order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, currency TEXT NOT NULL, payment_token TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED')),
                reservation_id TEXT, authorization_id TEXT, cancel_code TEXT, cancel_message TEXT,
                created_at REAL NOT NULL, updated_at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS order_lines (
                order_id TEXT NOT NULL REFERENCES orders(order_id), line INTEGER NOT NULL, product_id TEXT NOT NULL,
                sku TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0),
                unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0), PRIMARY KEY (order_id, line));
            """)
    }

    /// Checks a new order's input.
    static func validate(customerID: UUID, lines: [OrderLine], currency: String) throws(DomainError) {
        guard !lines.isEmpty else { throw DomainError("INVALID_ORDER", "an order needs at least one line") }
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw DomainError("INVALID_ORDER", "currency '\(currency)' is not an ISO 4217 code")
        }
        for line in lines {
            guard line.quantity > 0 else { throw DomainError("INVALID_ORDER", "quantity \(line.quantity) of \(line.sku) is not positive") }
            guard line.unitPriceMinor >= 0 else {
                throw DomainError("INVALID_ORDER", "price \(line.unitPriceMinor) of \(line.sku) is negative")
            }
        }
    }

    /// Inserts a `PENDING` order; false when the order id exists (nothing changed).
    public static func insert(orderID: UUID, customerID: UUID, lines: [OrderLine], currency: String, paymentToken: String, in db: Database)
        throws -> Bool
    {
        let now = Date().timeIntervalSince1970
        try db.execute(sql: """
            INSERT INTO orders (order_id, customer_id, currency, payment_token, status, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'PENDING', ?, ?) ON CONFLICT (order_id) DO NOTHING
            """, arguments: [text(orderID), text(customerID), currency, paymentToken, now, now])
        guard db.changesCount > 0 else { return false }
        for (index, line) in lines.enumerated() {
            try db.execute(sql: """
                INSERT INTO order_lines (order_id, line, product_id, sku, quantity, unit_price_minor) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [text(orderID), index, text(line.productID), line.sku, line.quantity, line.unitPriceMinor])
        }
        return true
    }

    /// `PENDING` → `CONFIRMED`; confirming a confirmed order succeeds again; a cancelled or unknown one is refused.
    public static func confirm(orderID: String, reservationID: String, authorizationID: String, in db: Database) throws -> StepResult {
        let status = try String.fetchOne(db, sql: "SELECT status FROM orders WHERE order_id = ?", arguments: [orderID])
        switch status {
        case "PENDING":
            try db.execute(sql: """
                UPDATE orders SET status = 'CONFIRMED', reservation_id = ?, authorization_id = ?, updated_at = ? WHERE order_id = ?
                """, arguments: [reservationID, authorizationID, Date().timeIntervalSince1970, orderID])
            return .done(nil)
        case "CONFIRMED": return .done(nil)
        case "CANCELLED": return .refused(.code("ORDER_CANCELLED", "order \(orderID) is cancelled; it cannot be confirmed"))
        default: return .refused(.code("ORDER_NOT_FOUND", "order \(orderID) does not exist"))
        }
    }

    /// `PENDING` → `CANCELLED`; cancelling a cancelled or unknown order changes nothing and
    /// succeeds; a confirmed order is refused.
    public static func cancel(orderID: String, code: String, message: String, in db: Database) throws -> StepResult {
        let status = try String.fetchOne(db, sql: "SELECT status FROM orders WHERE order_id = ?", arguments: [orderID])
        switch status {
        case "PENDING":
            try db.execute(sql: """
                UPDATE orders SET status = 'CANCELLED', cancel_code = ?, cancel_message = ?, updated_at = ? WHERE order_id = ?
                """, arguments: [code, message, Date().timeIntervalSince1970, orderID])
            return .done(nil)
        case "CONFIRMED": return .refused(.code("ORDER_CONFIRMED", "order \(orderID) is confirmed; it cannot be cancelled"))
        default: return .done(nil)
        }
    }

    /// The order `orderID`, if any.
    public static func order(orderID: UUID, in db: Database) throws -> Order? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE order_id = ?", arguments: [text(orderID)]) else {
            return nil
        }
        let lines = try Row.fetchAll(db, sql: "SELECT * FROM order_lines WHERE order_id = ? ORDER BY line", arguments: [text(orderID)])
            .map { row in
                OrderLine(productID: try uuid(row["product_id"], "product id"), sku: row["sku"], quantity: row["quantity"],
                    unitPriceMinor: row["unit_price_minor"])
            }
        return Order(
            orderID: orderID, customerID: try uuid(row["customer_id"], "customer id"), status: row["status"],
            currency: row["currency"], paymentToken: row["payment_token"], lines: lines, reservationID: row["reservation_id"],
            authorizationID: row["authorization_id"], cancelCode: row["cancel_code"]
        )
    }
}
