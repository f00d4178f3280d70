import Foundation
import GRDB
import SagaPostgres
import SagaCore
import ServiceKit

/// An item to reserve: a product and how many.
public struct StockLine: Sendable, Hashable {
    /// The product (UUID text).
    public var productID: String
    /// How many (positive).
    public var quantity: Int64

    /// Creates a line.
    public init(productID: String, quantity: Int64) {
        self.productID = productID
        self.quantity = quantity
    }
}

/// A reservation as stored.
public struct Reservation: Sendable, Hashable {
    /// The reservation id (derived from the order id).
    public var reservationID: String
    /// The order.
    public var orderID: String
    /// `RESERVED` or `RELEASED`.
    public var status: String
    /// What it holds.
    public var lines: [StockLine]
}

/// The inventory's rules over its tables: stock never goes negative (a `CHECK` constraint backs
/// the code), one reservation per order, and a release gives back exactly what its reservation
/// took, once. On PostgreSQL, where replicas serve one order's commands concurrently, each command
/// takes the order's lock (``ServiceTransaction/lock(_:)``) and reads the stock it takes `FOR UPDATE`.
///
/// **One lock order.** A command locks its order and the products it changes together, in one
/// order (``ServiceTransaction/lock(_:)`` with several keys), before any product row; a batch of
/// commands in one transaction takes the locks of all its commands first
/// (`InventoryService.prepare`, the participant's `prepare`). Two batches whose orders take the
/// same products in different orders then never each hold a row the other waits for.
public enum InventoryStore {
    /// Creates the tables (SQLite).
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS products (
                product_id TEXT PRIMARY KEY, sku TEXT NOT NULL UNIQUE, available INTEGER NOT NULL CHECK (available >= 0));
            CREATE TABLE IF NOT EXISTS reservations (
                reservation_id TEXT PRIMARY KEY, order_id TEXT NOT NULL UNIQUE,
                status TEXT NOT NULL CHECK (status IN ('RESERVED', 'RELEASED')));
            CREATE TABLE IF NOT EXISTS reservation_lines (
                reservation_id TEXT NOT NULL REFERENCES reservations(reservation_id), product_id TEXT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0), PRIMARY KEY (reservation_id, product_id));
            """)
    }

    /// The tables on PostgreSQL, in the inventory role's schema.
    public static let postgresMigrations: [PostgresMigration] = [
        PostgresMigration(identifier: "inventory v1: products, reservations, reservation lines", statements: [
            "CREATE TABLE products (product_id text PRIMARY KEY, sku text NOT NULL UNIQUE, available bigint NOT NULL CHECK (available >= 0))",
            """
            CREATE TABLE reservations (
                reservation_id text PRIMARY KEY, order_id text NOT NULL UNIQUE,
                status text NOT NULL CHECK (status IN ('RESERVED', 'RELEASED')))
            """,
            """
            CREATE TABLE reservation_lines (
                reservation_id text NOT NULL REFERENCES reservations(reservation_id), product_id text NOT NULL,
                quantity bigint NOT NULL CHECK (quantity > 0), PRIMARY KEY (reservation_id, product_id))
            """,
        ])
    ]

    /// The reservation id of `orderID` (stable, so a repeated reserve finds the first one).
    public static func reservationID(orderID: String) -> String { DeterministicUUID.make("reservation/\(orderID)") }

    /// Adds a product with `units` units, or adds `units` to an existing one.
    public static func addStock(productID: String, sku: String, units: Int64, in db: ServiceTransaction) throws {
        guard units >= 0 else { throw DomainError("INVALID_QUANTITY", "cannot add \(units) units of \(sku)") }
        try db.execute("""
            INSERT INTO products (product_id, sku, available) VALUES (?, ?, ?)
            ON CONFLICT (product_id) DO UPDATE SET available = products.available + excluded.available
            """, [productID, sku, units])
    }

    /// Units of `productID` available (nil for an unknown product).
    public static func available(productID: String, in db: ServiceTransaction) throws -> Int64? {
        try available(productID: productID, forUpdate: false, in: db)
    }

    private static func available(productID: String, forUpdate: Bool, in db: ServiceTransaction) throws -> Int64? {
        try db.row("SELECT available FROM products WHERE product_id = ?" + (forUpdate ? db.forUpdate : ""), [productID], source: "products")?
            .integer("available")
    }

    /// Reserves `lines` for `orderID`, all or nothing. A repeated reserve of the same order
    /// returns the first reservation without taking stock again.
    public static func reserve(orderID: String, lines: [StockLine], in db: ServiceTransaction) throws -> StepResult {
        try db.lock([orderKey(orderID)] + lines.map { productKey($0.productID) })
        if let existing = try reservation(orderID: orderID, in: db) {
            guard existing.status == "RESERVED" else {
                return .refused(.code("RESERVATION_RELEASED", "order \(orderID)'s reservation was already released"))
            }
            return .done(existing.reservationID)
        }
        guard !lines.isEmpty else { return .refused(.code("INVALID_ITEM", "order \(orderID) has no items")) }
        var wanted: [String: Int64] = [:]
        for line in lines {
            guard line.quantity > 0 else {
                return .refused(.code("INVALID_ITEM", "quantity \(line.quantity) of product \(line.productID) is not positive"))
            }
            wanted[line.productID, default: 0] += line.quantity
        }
        let ordered = wanted.sorted { $0.key < $1.key }
        for (product, quantity) in ordered {
            let available = try available(productID: product, forUpdate: true, in: db)
            guard let available, available >= quantity else {
                return .refused(.code("OUT_OF_STOCK", "product \(product): \(quantity) wanted, \(available ?? 0) available"))
            }
        }
        let id = reservationID(orderID: orderID)
        try db.execute("INSERT INTO reservations (reservation_id, order_id, status) VALUES (?, ?, 'RESERVED')", [id, orderID])
        for (product, quantity) in ordered {
            try db.execute("UPDATE products SET available = available - ? WHERE product_id = ?", [quantity, product])
            try db.execute("INSERT INTO reservation_lines (reservation_id, product_id, quantity) VALUES (?, ?, ?)", [id, product, quantity])
        }
        return .done(id)
    }

    /// Gives back what `reservationID` took. Releasing an unknown or already released
    /// reservation changes nothing and succeeds.
    public static func release(reservationID: String, in db: ServiceTransaction) throws -> StepResult {
        // Only the transaction that moves the reservation out of RESERVED gives its stock back.
        let released = try db.execute(
            "UPDATE reservations SET status = 'RELEASED' WHERE reservation_id = ? AND status = 'RESERVED'", [reservationID])
        guard released == 1 else { return .done(nil) }
        let products = try db.rows("SELECT product_id FROM reservation_lines WHERE reservation_id = ?", [reservationID],
            source: "reservation_lines").map { try $0.text("product_id") }
        try db.lock(products.map(productKey))
        try db.execute("""
            UPDATE products SET available = available + (
                SELECT quantity FROM reservation_lines l WHERE l.reservation_id = ? AND l.product_id = products.product_id)
            WHERE product_id IN (SELECT product_id FROM reservation_lines WHERE reservation_id = ?)
            """, [reservationID, reservationID])
        return .done(nil)
    }

    /// Releases the reservation of `orderID` (the saga's compensation, keyed by order id: it
    /// works without the reservation id a timed-out reserve never returned). An order with no
    /// reservation gets a released, empty one as a tombstone, so a reserve arriving after its
    /// release is refused (`RESERVATION_RELEASED`) instead of taking stock nobody gives back.
    public static func release(orderID: String, in db: ServiceTransaction) throws -> StepResult {
        try db.lock(orderKey(orderID))
        guard let existing = try reservation(orderID: orderID, in: db) else {
            try db.execute("INSERT INTO reservations (reservation_id, order_id, status) VALUES (?, ?, 'RELEASED')",
                [reservationID(orderID: orderID), orderID])
            return .done(nil)
        }
        return try release(reservationID: existing.reservationID, in: db)
    }

    /// The lock key of an order: its commands run one at a time.
    static func orderKey(_ orderID: String) -> String { "order/\(orderID)" }

    /// The lock key of a product, taken with its order's before its row is changed.
    static func productKey(_ productID: String) -> String { "product/\(productID)" }

    /// The reservation of `orderID`, if any.
    public static func reservation(orderID: String, in db: ServiceTransaction) throws -> Reservation? {
        guard let row = try db.row("SELECT reservation_id, status FROM reservations WHERE order_id = ?", [orderID], source: "reservations")
        else { return nil }
        let id = try row.text("reservation_id")
        let lines = try db.rows("SELECT product_id, quantity FROM reservation_lines WHERE reservation_id = ? ORDER BY product_id",
            [id], source: "reservation_lines").map { StockLine(productID: try $0.text("product_id"), quantity: try $0.integer("quantity")) }
        return Reservation(reservationID: id, orderID: orderID, status: try row.text("status"), lines: lines)
    }
}
