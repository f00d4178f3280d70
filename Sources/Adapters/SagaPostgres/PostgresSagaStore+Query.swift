import Foundation
import PostgresNIO
import SagaCore

extension PostgresSagaStore: SagaReportStore {
    /// The sagas `filter` selects, newest first (by creation time, then id), filtered in SQL.
    public func sagas(matching filter: SagaFilter) async throws(SagaStoreError) -> [SagaState] {
        try await operation("list sagas", transactional: false) { transaction in try Self.states(matching: filter, in: transaction) }
    }

    /// The sagas `filter` selects, newest first, each with its step history (one snapshot).
    public func reports(matching filter: SagaFilter) async throws(SagaStoreError) -> [SagaReport] {
        try await operation("list sagas with history") { transaction in
            try transaction.send("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try Self.states(matching: filter, in: transaction).map { state in
                SagaReport(state: state, history: try Self.history(sagaID: state.sagaID, in: transaction))
            }
        }
    }

    /// The saga `sagaID` with its step history, or nil when there is none.
    public func report(sagaID: String) async throws(SagaStoreError) -> SagaReport? {
        try await operation("report of saga \(sagaID)") { transaction in
            try transaction.send("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            guard let row = try transaction.query("SELECT * FROM saga_instance WHERE saga_id = \(sagaID)").rows.first else { return nil }
            return SagaReport(state: try PostgresRows.state(row), history: try Self.history(sagaID: sagaID, in: transaction))
        }
    }

    static func states(matching filter: SagaFilter, in transaction: PostgresTransaction) throws -> [SagaState] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if !filter.states.isEmpty {
            binds.append(filter.states.map(\.rawValue))
            conditions.append("status = ANY($\(binds.count))")
        }
        if let type = filter.type {
            binds.append(type)
            conditions.append("saga_type = $\(binds.count)")
        }
        if let since = filter.since {
            binds.append(since.timeIntervalSince1970)
            conditions.append("created_at >= $\(binds.count)")
        }
        if let until = filter.until {
            binds.append(until.timeIntervalSince1970)
            conditions.append("created_at < $\(binds.count)")
        }
        if let prefix = filter.idPrefix {
            binds.append(prefix)
            conditions.append("starts_with(saga_id, $\(binds.count))")
        }
        if let code = filter.failureCode {
            binds.append(code)
            conditions.append("strpos(failure_reason, $\(binds.count)) > 0")
        }
        if let step = filter.step {
            // The step a saga is at: the name of the latest request in its current phase and step index.
            binds.append(step)
            conditions.append("""
                (SELECT h.step_name FROM saga_step_history h WHERE h.saga_id = saga_instance.saga_id AND h.phase = saga_instance.phase
                 AND h.step_index = saga_instance.step_index ORDER BY h.sequence DESC LIMIT 1) = $\(binds.count)
                """)
        }
        if let after = filter.after {
            binds.append(after.createdAt.timeIntervalSince1970)
            let time = binds.count
            binds.append(after.sagaID)
            conditions.append("(created_at < $\(time) OR (created_at = $\(time) AND saga_id < $\(binds.count)))")
        }
        binds.append(filter.limit)
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM saga_instance\(condition) ORDER BY created_at DESC, saga_id DESC LIMIT $\(binds.count)"
        return try transaction.query(PostgresQuery(unsafeSQL: sql, binds: binds)).rows.map(PostgresRows.state)
    }

    /// The number of sagas of each type in each state.
    public func counts() async throws(SagaStoreError) -> [(type: String, status: SagaStatus, count: Int)] {
        try await operation("count sagas by type and state", transactional: false) { transaction in
            try transaction.query("SELECT saga_type, status, COUNT(*) AS n FROM saga_instance GROUP BY saga_type, status ORDER BY saga_type, status")
                .rows.map { row in
                    let type = try PostgresRowReader(row: row, table: "saga_instance", key: "count")("saga_type", String.self)
                    let read = PostgresRowReader(row: row, table: "saga_instance", key: type)
                    return (type, try read.value("status", SagaStatus.self), Int(try read("n", Int64.self)))
                }
        }
    }
}
