import Foundation

/// A value bound to, or read from, a service's SQL statement: the types both of the services'
/// databases (SQLite and PostgreSQL) store alike.
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    /// SQL `NULL`.
    case null
    /// A 64-bit integer (`INTEGER` in SQLite, `BIGINT` in PostgreSQL).
    case integer(Int64)
    /// A double (`REAL`, `DOUBLE PRECISION`).
    case real(Double)
    /// Text.
    case text(String)
    /// A boolean (SQLite stores it as 0 or 1).
    case boolean(Bool)

    /// A readable description (values of the services' own tables: no secrets).
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): "\(value)"
        case .real(let value): "\(value)"
        case .text(let value): "'\(value)'"
        case .boolean(let value): "\(value)"
        }
    }
}

/// A Swift value a service binds to a statement's `?` placeholder.
public protocol SQLValueConvertible: Sendable {
    /// The value as SQL sees it.
    var sqlValue: SQLValue { get }
}

extension String: SQLValueConvertible {
    /// Text.
    public var sqlValue: SQLValue { .text(self) }
}

extension Int64: SQLValueConvertible {
    /// An integer.
    public var sqlValue: SQLValue { .integer(self) }
}

extension Int: SQLValueConvertible {
    /// An integer.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int32: SQLValueConvertible {
    /// An integer.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Double: SQLValueConvertible {
    /// A double.
    public var sqlValue: SQLValue { .real(self) }
}

extension Bool: SQLValueConvertible {
    /// A boolean.
    public var sqlValue: SQLValue { .boolean(self) }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    /// The wrapped value, or `NULL`.
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
