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
        arguments += [filter.limit]
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try db.cachedRows(
            sql: "SELECT * FROM saga_instance\(condition) ORDER BY created_at DESC, saga_id DESC LIMIT ?", arguments: arguments
        ).map(SQLiteRows.state)
    }

    static func history(sagaID: String, in db: Database) throws -> [StepAttemptRecord] {
        try db.cachedRows(sql: "SELECT * FROM saga_step_history WHERE saga_id = ? ORDER BY sequence", arguments: [sagaID])
            .map(SQLiteRows.attempt)
    }
}
