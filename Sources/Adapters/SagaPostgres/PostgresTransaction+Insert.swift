import PostgresNIO

extension PostgresTransaction {
    /// Rows per multi-row insert: PostgreSQL allows 65,535 parameters per statement, so 1,000 rows
    /// leave room for 65 columns.
    static let rowsPerInsert = 1_000

    /// Inserts `rows` into `table` with one multi-row statement per ``rowsPerInsert`` rows, each
    /// sent without waiting for its answer (``send(_:check:)``). `bind` appends one row's values,
    /// one per column, in `columns`' order. `suffix` ends each statement (`ON CONFLICT …`,
    /// `RETURNING …`), and `check` reads each statement's answer when it arrives.
    func sendInsert<Row>(
        into table: String, columns: [String], _ rows: [Row], suffix: String = "",
        check: (@Sendable (PostgresResult) throws -> Void)? = nil, bind: (Row, inout PostgresBindings) throws -> Void
    ) throws {
        for start in stride(from: 0, to: rows.count, by: Self.rowsPerInsert) {
            var binds = PostgresBindings()
            var values: [String] = []
            for row in rows[start..<min(start + Self.rowsPerInsert, rows.count)] {
                let first = binds.count + 1
                try bind(row, &binds)
                values.append("(" + (first..<(first + columns.count)).map { "$\($0)" }.joined(separator: ", ") + ")")
            }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(values.joined(separator: ", "))"
            try send(PostgresQuery(unsafeSQL: suffix.isEmpty ? sql : sql + " " + suffix, binds: binds), check: check)
        }
    }
}
