import PostgresNIO
import SagaCore

/// Reads the columns of one stored row; a column that does not decode is a
/// ``SagaStoreError/corruptRow(table:key:detail:)`` naming the table, the row and the column.
struct PostgresRowReader {
    let row: PostgresRandomAccessRow
    let table: String
    let key: String

    func callAsFunction<T: PostgresDecodable>(_ column: String, _: T.Type = T.self) throws -> T {
        guard row.contains(column) else { throw corrupt("no column \(column)") }
        do {
            return try row[column].decode(T.self)
        } catch {
            throw corrupt("\(column): not a \(T.self)")
        }
    }

    /// A raw value of `column` parsed as `E` (an enum stored by its raw name).
    func value<E: RawRepresentable<String>>(_ column: String, _: E.Type) throws -> E {
        let raw: String = try self(column)
        guard let parsed = E(rawValue: raw) else { throw corrupt("\(column) '\(raw)'") }
        return parsed
    }

    /// An optional raw value of `column` parsed as `E`.
    func optionalValue<E: RawRepresentable<String>>(_ column: String, _: E.Type) throws -> E? {
        guard let raw = try self(column, String?.self) else { return nil }
        guard let parsed = E(rawValue: raw) else { throw corrupt("\(column) '\(raw)'") }
        return parsed
    }

    func corrupt(_ detail: String) -> SagaStoreError { .corruptRow(table: table, key: key, detail: detail) }
}
