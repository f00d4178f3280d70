import Foundation
import GRDB
import SagaCore

extension SQLiteSagaStore: SagaReportStore {
    /// The sagas `filter` selects, newest first (by creation time, then id), filtered in SQL.
    public func sagas(matching filter: SagaFilter) async throws(SagaStoreError) -> [SagaState] {
        try await read("list sagas") { db in try Self.states(matching: filter, in: db) }
    }

    /// The sagas `filter` selects, newest first, each with its step history (read in one transaction).
    public func reports(matching filter: SagaFilter) async throws(SagaStoreError) -> [SagaReport] {
        try await read("list sagas with history") { db in
            try Self.states(matching: filter, in: db).map { state in
                SagaReport(state: state, history: try Self.history(sagaID: state.sagaID, in: db))
            }
        }
    }

    /// The saga `sagaID` with its step history, or nil when there is none.
    public func report(sagaID: String) async throws(SagaStoreError) -> SagaReport? {
        try await read("report of saga \(sagaID)") { db in
            guard let state = try db.cachedRow(sql: "SELECT * FROM saga_instance WHERE saga_id = ?", arguments: [sagaID])
                .map(SQLiteRows.state)
            else { return nil }
            return SagaReport(state: state, history: try Self.history(sagaID: sagaID, in: db))
        }
    }

    static func states(matching filter: SagaFilter, in db: Database) throws -> [SagaState] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if !filter.states.isEmpty {
            conditions.append("status IN (" + filter.states.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments += StatementArguments(filter.states.map(\.rawValue))
        }
        if let type = filter.type {
            conditions.append("saga_type = ?")
            arguments += [type]
        }
        if let since = filter.since {
            conditions.append("created_at >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        if let until = filter.until {
            conditions.append("created_at < ?")
            arguments += [until.timeIntervalSince1970]
        }
        if let prefix = filter.idPrefix {
            conditions.append("substr(saga_id, 1, ?) = ?")
            arguments += [prefix.count, prefix]
        }
        if let code = filter.failureCode {
            conditions.append("instr(failure_reason, ?) > 0")
            arguments += [code]
        }
        if let step = filter.step {
            // The step a saga is at: the name of the latest request in its current phase and step index.
            conditions.append("""
                (SELECT h.step_name FROM saga_step_history h WHERE h.saga_id = saga_instance.saga_id AND h.phase = saga_instance.phase
                 AND h.step_index = saga_instance.step_index ORDER BY h.sequence DESC LIMIT 1) = ?
                """)
            arguments += [step]
        }
        if let after = filter.after {
            conditions.append("(created_at < ? OR (created_at = ? AND saga_id < ?))")
            arguments += [after.createdAt.timeIntervalSince1970, after.createdAt.timeIntervalSince1970, after.sagaID]
        }
        arguments += [filter.limit]
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try db.cachedRows(
            sql: "SELECT * FROM saga_instance\(condition) ORDER BY created_at DESC, saga_id DESC LIMIT ?", arguments: arguments
        ).map(SQLiteRows.state)
    }

    /// The number of sagas of each type in each state.
    public func counts() async throws(SagaStoreError) -> [(type: String, status: SagaStatus, count: Int)] {
        try await read("count sagas by type and state") { db in
            try db.cachedRows(sql: "SELECT saga_type, status, COUNT(*) AS n FROM saga_instance GROUP BY saga_type, status ORDER BY saga_type, status")
                .map { row throws(SagaStoreError) -> (type: String, status: SagaStatus, count: Int) in
                    let type: String = row["saga_type"], text: String = row["status"]
                    guard let status = SagaStatus(rawValue: text) else {
                        throw .corruptRow(table: "saga_instance", key: type, detail: "unknown status \(text)")
                    }
                    return (type, status, row["n"])
                }
        }
    }

    static func history(sagaID: String, in db: Database) throws -> [StepAttemptRecord] {
        try db.cachedRows(sql: "SELECT * FROM saga_step_history WHERE saga_id = ? ORDER BY sequence", arguments: [sagaID])
            .map(SQLiteRows.attempt)
    }
}
