import Avro
import SagaCore
import SagaSQLite
import SagaAvro
import SagaContracts

/// Reads sagas in process from the orchestrator's store, SQLite or PostgreSQL (the `orchestrator` role, or `all`).
public struct LocalSagaQuerying: SagaQuerying {
    private let store: any SagaReportStore
    private let payloads: AvroPayloadJSON

    /// Reads from `store`; timeline payloads are decoded by `payloads`.
    public init(store: any SagaReportStore, payloads: AvroPayloadJSON = .contracts) {
        self.store = store
        self.payloads = payloads
    }

    /// The saga's timeline, or nil.
    public func timeline(id: String) async throws(Problem) -> JSONValue? {
        do {
            return try await store.timeline(sagaID: id)?.json(payloads: payloads)
        } catch {
            throw Problem(.internalError, detail: "the saga store could not be read: \(error)")
        }
    }

    /// The saga's report; for a saga whose details the retention of finished sagas removed, what
    /// its tombstone tells (``SagaTombstone/json``); nil when there is no such saga.
    public func saga(id: String) async throws(Problem) -> JSONValue? {
        do {
            if let report = try await store.report(sagaID: id) { return report.json }
            return try await store.tombstone(sagaID: id)?.json
        } catch {
            throw Problem(.internalError, detail: "the saga store could not be read: \(error)")
        }
    }

    /// A page of the reports `filter` selects, newest first, with the cursor of the next page.
    public func sagas(matching filter: SagaFilter) async throws(Problem) -> JSONValue {
        let reports: [SagaReport]
        do {
            reports = try await store.reports(matching: filter)
        } catch {
            throw Problem(.internalError, detail: "the saga store could not be read: \(error)")
        }
        let next: JSONValue = reports.count == filter.limit
            ? reports.last.map { .string(SagaFilter.Cursor(after: $0.state).token) } ?? .null : .null
        return .object([("sagas", .array(reports.map(\.json))), ("count", .integer(Int64(reports.count))), ("next", next)])
    }

    /// The number of sagas per state and per type and state.
    public func counts() async throws(Problem) -> JSONValue {
        let rows: [(type: String, status: SagaStatus, count: Int)]
        do {
            rows = try await store.counts()
        } catch {
            throw Problem(.internalError, detail: "the saga store could not be read: \(error)")
        }
        let byState = SagaStatus.allCases.map { status in
            (status.rawValue, JSONValue.integer(Int64(rows.filter { $0.status == status }.reduce(0) { $0 + $1.count })))
        }
        var types: [String] = []
        for row in rows where !types.contains(row.type) { types.append(row.type) }
        let byType = types.map { type in
            (type, JSONValue.object(rows.filter { $0.type == type }.map { ($0.status.rawValue, .integer(Int64($0.count))) }))
        }
        return .object([
            ("total", .integer(Int64(rows.reduce(0) { $0 + $1.count }))), ("byState", .object(byState)), ("byType", .object(byType)),
        ])
    }
}
