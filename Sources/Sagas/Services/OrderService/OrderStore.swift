import Foundation
import GRDB
import SagaPostgres
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
/// the outbox, in the same transaction) and move once to `CONFIRMED` or `CANCELLED` (the status
/// is read `FOR UPDATE` on PostgreSQL, so replicas cannot both move it).
public enum OrderStore {
    /// Creates the tables (SQLite).
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

    /// The tables on PostgreSQL, in the order role's schema.
    public static let postgresMigrations: [PostgresMigration] = [
        PostgresMigration(identifier: "order v1: orders, order lines", statements: [
            """
            CREATE TABLE orders (
                order_id text PRIMARY KEY, customer_id text NOT NULL, currency text NOT NULL, payment_token text NOT NULL,
                status text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED')),
                reservation_id text, authorization_id text, cancel_code text, cancel_message text,
                created_at double precision NOT NULL, updated_at double precision NOT NULL)
            """,
            """
            CREATE TABLE order_lines (
                order_id text NOT NULL REFERENCES orders(order_id), line bigint NOT NULL, product_id text NOT NULL,
                sku text NOT NULL, quantity bigint NOT NULL CHECK (quantity > 0),
                unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0), PRIMARY KEY (order_id, line))
            """,
        ])
    ]

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
    public static func insert(orderID: UUID, customerID: UUID, lines: [OrderLine], currency: String, paymentToken: String, in db: ServiceTransaction)
        throws -> Bool
    {
        let now = Date().timeIntervalSince1970
        let inserted = try db.execute("""
            INSERT INTO orders (order_id, customer_id, currency, payment_token, status, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'PENDING', ?, ?) ON CONFLICT (order_id) DO NOTHING
            """, [text(orderID), text(customerID), currency, paymentToken, now, now])
        guard inserted > 0 else { return false }
        for (index, line) in lines.enumerated() {
            try db.execute("""
                INSERT INTO order_lines (order_id, line, product_id, sku, quantity, unit_price_minor) VALUES (?, ?, ?, ?, ?, ?)
                """, [text(orderID), index, text(line.productID), line.sku, line.quantity, line.unitPriceMinor])
        }
        return true
    }

    /// `PENDING` → `CONFIRMED`; confirming a confirmed order succeeds again; a cancelled or unknown one is refused.
    public static func confirm(orderID: String, reservationID: String, authorizationID: String, in db: ServiceTransaction) throws -> StepResult {
        switch try status(orderID, in: db) {
        case "PENDING":
            try db.execute("""
                UPDATE orders SET status = 'CONFIRMED', reservation_id = ?, authorization_id = ?, updated_at = ? WHERE order_id = ?
                """, [reservationID, authorizationID, Date().timeIntervalSince1970, orderID])
            return .done(nil)
        case "CONFIRMED": return .done(nil)
        case "CANCELLED": return .refused(.code("ORDER_CANCELLED", "order \(orderID) is cancelled; it cannot be confirmed"))
        default: return .refused(.code("ORDER_NOT_FOUND", "order \(orderID) does not exist"))
        }
    }

    /// `PENDING` → `CANCELLED`; cancelling a cancelled or unknown order changes nothing and
    /// succeeds; a confirmed order is refused.
    public static func cancel(orderID: String, code: String, message: String, in db: ServiceTransaction) throws -> StepResult {
        switch try status(orderID, in: db) {
        case "PENDING":
            try db.execute("""
                UPDATE orders SET status = 'CANCELLED', cancel_code = ?, cancel_message = ?, updated_at = ? WHERE order_id = ?
                """, [code, message, Date().timeIntervalSince1970, orderID])
            return .done(nil)
        case "CONFIRMED": return .refused(.code("ORDER_CONFIRMED", "order \(orderID) is confirmed; it cannot be cancelled"))
        default: return .done(nil)
        }
    }

    /// The status of `orderID`, its row locked for the transaction's decision (PostgreSQL).
    private static func status(_ orderID: String, in db: ServiceTransaction) throws -> String? {
        try db.row("SELECT status FROM orders WHERE order_id = ?" + db.forUpdate, [orderID], source: "orders")?.text("status")
    }

    /// The order `orderID`, if any.
    public static func order(orderID: UUID, in db: ServiceTransaction) throws -> Order? {
        guard let row = try db.row("SELECT * FROM orders WHERE order_id = ?", [text(orderID)], source: "orders") else {
            return nil
        }
        let lines = try db.rows("SELECT * FROM order_lines WHERE order_id = ? ORDER BY line", [text(orderID)], source: "order_lines")
            .map { row in
                let quantity = try row.integer("quantity")
                guard let quantity32 = Int32(exactly: quantity) else {
                    throw ServiceSQLError.column("quantity", table: row.source, expected: "a 32-bit integer", found: "\(quantity)")
                }
                return OrderLine(productID: try uuid(try row.text("product_id"), "product id"), sku: try row.text("sku"),
                    quantity: quantity32, unitPriceMinor: try row.integer("unit_price_minor"))
            }
        return Order(
            orderID: orderID, customerID: try uuid(try row.text("customer_id"), "customer id"), status: try row.text("status"),
            currency: try row.text("currency"), paymentToken: try row.text("payment_token"), lines: lines,
            reservationID: try row.optionalText("reservation_id"), authorizationID: try row.optionalText("authorization_id"),
            cancelCode: try row.optionalText("cancel_code")
        )
    }
}
