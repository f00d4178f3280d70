import Avro
import SagaCore
import SagaSQLite
import SagaAvro

/// Reads sagas in process from the orchestrator's store, SQLite or PostgreSQL (the `orchestrator` role, or `all`).
public struct LocalSagaQuerying: SagaQuerying {
    private let store: any SagaReportStore

    /// Reads from `store`.
    public init(store: any SagaReportStore) {
        self.store = store
    }

    /// The saga's report, or nil.
    public func saga(id: String) async throws(Problem) -> JSONValue? {
        do {
            return try await store.report(sagaID: id)?.json
        } catch {
            throw Problem(.internalError, detail: "the saga store could not be read: \(error)")
        }
    }

    /// The reports of the sagas `filter` selects, newest first.
    public func sagas(matching filter: SagaFilter) async throws(Problem) -> [JSONValue] {
        do {
            return try await store.reports(matching: filter).map(\.json)
        } catch {
            throw Problem(.internalError, detail: "the saga store could not be read: \(error)")
        }
    }
}
