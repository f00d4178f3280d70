/// One row a service's query returned, its columns by name, read with typed accessors that
/// throw ``ServiceSQLError/column(_:table:expected:found:)`` naming the column when a value
/// has another type (or is missing).
public struct SQLRow: Sendable, Hashable {
    /// The values by column name.
    public let values: [String: SQLValue]
    /// The table (or query) it came from, for errors.
    public let source: String

    /// Creates a row.
    public init(_ values: [String: SQLValue], source: String) {
        self.values = values
        self.source = source
    }

    /// The column's value (`.null` when absent from the row is an error).
    public func value(_ column: String) throws(ServiceSQLError) -> SQLValue {
        guard let value = values[column] else { throw .column(column, table: source, expected: "a column", found: "none") }
        return value
    }

    /// A text column.
    public func text(_ column: String) throws(ServiceSQLError) -> String {
        guard let value = try optionalText(column) else { throw .column(column, table: source, expected: "text", found: "NULL") }
        return value
    }

    /// A text column that may be `NULL`.
    public func optionalText(_ column: String) throws(ServiceSQLError) -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let value): return value
        case let other: throw .column(column, table: source, expected: "text", found: other.description)
        }
    }

    /// An integer column.
    public func integer(_ column: String) throws(ServiceSQLError) -> Int64 {
        guard let value = try optionalInteger(column) else { throw .column(column, table: source, expected: "an integer", found: "NULL") }
        return value
    }

    /// An integer column that may be `NULL`.
    public func optionalInteger(_ column: String) throws(ServiceSQLError) -> Int64? {
        switch try value(column) {
        case .null: return nil
        case .integer(let value): return value
        case .real(let value) where value == value.rounded() && abs(value) < 9.2e18: return Int64(value)
        case let other: throw .column(column, table: source, expected: "an integer", found: other.description)
        }
    }

    /// A double column that may be `NULL`.
    public func optionalReal(_ column: String) throws(ServiceSQLError) -> Double? {
        switch try value(column) {
        case .null: return nil
        case .real(let value): return value
        case .integer(let value): return Double(value)
        case let other: throw .column(column, table: source, expected: "a number", found: other.description)
        }
    }

    /// A boolean column (SQLite's 0 or 1 too).
    public func boolean(_ column: String) throws(ServiceSQLError) -> Bool {
        switch try value(column) {
        case .boolean(let value): return value
        case .integer(let value): return value != 0
        case let other: throw .column(column, table: source, expected: "a boolean", found: other.description)
        }
    }
}

/// A service's SQL could not be run or its result not read.
public enum ServiceSQLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A column is missing or holds a value of another type.
    case column(String, table: String, expected: String, found: String)
    /// The statement has a different number of `?` placeholders than arguments.
    case arguments(sql: String, placeholders: Int, arguments: Int)
    /// A value PostgreSQL returned is of a type the services do not use.
    case unsupportedType(column: String, type: String)

    /// A readable description.
    public var description: String {
        switch self {
        case .column(let column, let table, let expected, let found):
            "column \(column) of \(table): expected \(expected), found \(found)"
        case .arguments(let sql, let placeholders, let arguments):
            "statement has \(placeholders) placeholder(s) but \(arguments) argument(s): \(sql)"
        case .unsupportedType(let column, let type):
            "column \(column) has PostgreSQL type \(type), which the services do not read"
        }
    }
}
