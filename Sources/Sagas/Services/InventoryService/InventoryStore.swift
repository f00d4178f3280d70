import Foundation
import GRDB
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
/// took, once.
public enum InventoryStore {
    /// Creates the tables.
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

    /// The reservation id of `orderID` (stable, so a repeated reserve finds the first one).
    public static func reservationID(orderID: String) -> String { DeterministicUUID.make("reservation/\(orderID)") }

    /// Adds a product with `units` units, or adds `units` to an existing one.
    public static func addStock(productID: String, sku: String, units: Int64, in db: Database) throws {
        guard units >= 0 else { throw DomainError("INVALID_QUANTITY", "cannot add \(units) units of \(sku)") }
        try db.execute(sql: """
            INSERT INTO products (product_id, sku, available) VALUES (?, ?, ?)
            ON CONFLICT (product_id) DO UPDATE SET available = available + excluded.available
            """, arguments: [productID, sku, units])
    }

    /// Units of `productID` available (nil for an unknown product).
    public static func available(productID: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT available FROM products WHERE product_id = ?", arguments: [productID])
    }

    /// Reserves `lines` for `orderID`, all or nothing. A repeated reserve of the same order
    /// returns the first reservation without taking stock again.
    public static func reserve(orderID: String, lines: [StockLine], in db: Database) throws -> StepResult {
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
            let available = try available(productID: product, in: db)
            guard let available, available >= quantity else {
                return .refused(.code("OUT_OF_STOCK", "product \(product): \(quantity) wanted, \(available ?? 0) available"))
            }
        }
        let id = reservationID(orderID: orderID)
        try db.execute(sql: "INSERT INTO reservations (reservation_id, order_id, status) VALUES (?, ?, 'RESERVED')",
            arguments: [id, orderID])
        for (product, quantity) in ordered {
            try db.execute(sql: "UPDATE products SET available = available - ? WHERE product_id = ?", arguments: [quantity, product])
            try db.execute(sql: "INSERT INTO reservation_lines (reservation_id, product_id, quantity) VALUES (?, ?, ?)",
                arguments: [id, product, quantity])
        }
        return .done(id)
    }

    /// Gives back what `reservationID` took. Releasing an unknown or already released
    /// reservation changes nothing and succeeds.
    public static func release(reservationID: String, in db: Database) throws -> StepResult {
        let status = try String.fetchOne(db, sql: "SELECT status FROM reservations WHERE reservation_id = ?", arguments: [reservationID])
        guard status == "RESERVED" else { return .done(nil) }
        try db.execute(sql: """
            UPDATE products SET available = available + (
                SELECT quantity FROM reservation_lines l WHERE l.reservation_id = ? AND l.product_id = products.product_id)
            WHERE product_id IN (SELECT product_id FROM reservation_lines WHERE reservation_id = ?)
            """, arguments: [reservationID, reservationID])
        try db.execute(sql: "UPDATE reservations SET status = 'RELEASED' WHERE reservation_id = ?", arguments: [reservationID])
        return .done(nil)
    }

    /// Releases the reservation of `orderID` (the saga's compensation, keyed by order id: it
    /// works without the reservation id a timed-out reserve never returned). An order with no
    /// reservation gets a released, empty one as a tombstone, so a reserve arriving after its
    /// release is refused (`RESERVATION_RELEASED`) instead of taking stock nobody gives back.
    public static func release(orderID: String, in db: Database) throws -> StepResult {
        guard let existing = try reservation(orderID: orderID, in: db) else {
            try db.execute(sql: "INSERT INTO reservations (reservation_id, order_id, status) VALUES (?, ?, 'RELEASED')",
                arguments: [reservationID(orderID: orderID), orderID])
            return .done(nil)
        }
        return try release(reservationID: existing.reservationID, in: db)
    }

    /// The reservation of `orderID`, if any.
    public static func reservation(orderID: String, in db: Database) throws -> Reservation? {
        guard let row = try Row.fetchOne(db, sql: "SELECT reservation_id, status FROM reservations WHERE order_id = ?",
            arguments: [orderID]) else { return nil }
        let id: String = row["reservation_id"]
        let lines = try Row.fetchAll(db, sql: "SELECT product_id, quantity FROM reservation_lines WHERE reservation_id = ? ORDER BY product_id",
            arguments: [id]).map { StockLine(productID: $0["product_id"], quantity: $0["quantity"]) }
        return Reservation(reservationID: id, orderID: orderID, status: row["status"], lines: lines)
    }
}
