import GRDB
import PostgresNIO
import SagaPostgres

extension ServiceTransaction {
    // MARK: SQLite (GRDB)

    static func grdbArguments(_ arguments: [any SQLValueConvertible]) -> StatementArguments {
        StatementArguments(arguments.map { argument -> DatabaseValue in
            switch argument.sqlValue {
            case .null: .null
            case .integer(let value): value.databaseValue
            case .real(let value): value.databaseValue
            case .text(let value): value.databaseValue
            case .boolean(let value): (value ? 1 : 0).databaseValue
            }
        })
    }

    static func row(_ row: Row, source: String) -> SQLRow {
        var values: [String: SQLValue] = [:]
        for (column, value) in row {
            switch value.storage {
            case .null: values[column] = .null
            case .int64(let integer): values[column] = .integer(integer)
            case .double(let double): values[column] = .real(double)
            case .string(let text): values[column] = .text(text)
            case .blob(let data): values[column] = .text(String(decoding: data, as: UTF8.self))
            }
        }
        return SQLRow(values, source: source)
    }

    // MARK: PostgreSQL (postgres-nio)

    /// `sql` with its `?` placeholders (outside quoted text) numbered `$1`, `$2`, … and the arguments bound.
    static func postgresQuery(_ sql: String, _ arguments: [any SQLValueConvertible]) throws -> PostgresQuery {
        var text = ""
        text.reserveCapacity(sql.utf8.count + arguments.count * 2)
        var count = 0
        var quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?", !quoted {
                count += 1
                text += "$\(count)"
            } else {
                text.append(character)
            }
        }
        guard count == arguments.count else {
            throw ServiceSQLError.arguments(sql: sql, placeholders: count, arguments: arguments.count)
        }
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument.sqlValue {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .boolean(let value): bindings.append(value)
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    static func row(_ row: PostgresRandomAccessRow, source: String) throws -> SQLRow {
        var values: [String: SQLValue] = [:]
        for cell in row {
            guard cell.bytes != nil else {
                values[cell.columnName] = .null
                continue
            }
            switch cell.dataType {
            case .int2, .int4, .int8: values[cell.columnName] = .integer(try cell.decode(Int64.self))
            case .float4, .float8: values[cell.columnName] = .real(try cell.decode(Double.self))
            case .numeric: values[cell.columnName] = .real(Double(try cell.decode(String.self)) ?? .nan)
            case .bool: values[cell.columnName] = .boolean(try cell.decode(Bool.self))
            case .text, .varchar, .bpchar, .name: values[cell.columnName] = .text(try cell.decode(String.self))
            default: throw ServiceSQLError.unsupportedType(column: cell.columnName, type: "\(cell.dataType)")
            }
        }
        return SQLRow(values, source: source)
    }
}
