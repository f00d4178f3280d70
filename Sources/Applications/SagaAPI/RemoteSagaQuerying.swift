import Avro
import SagaCore
import SagaSQLite
import SagaAvro

/// Reads sagas by forwarding `GET /sagas/{id}`, `GET /sagas/{id}/timeline` and `GET /sagas` to the orchestrator role
/// (`SAGA_ORCHESTRATOR_URL`). Upstream problems pass through.
public struct RemoteSagaQuerying: SagaQuerying {
    private let upstream: Upstream

    /// Forwards to `upstream` (the orchestrator role).
    public init(upstream: Upstream) {
        self.upstream = upstream
    }

    /// The orchestrator's report of saga `id`, or nil on its 404.
    public func saga(id: String) async throws(Problem) -> JSONValue? {
        let (status, body) = try await upstream.get("/sagas/" + id)
        return status == 404 ? nil : body
    }

    /// The orchestrator's page of the sagas `filter` selects (times sent as absolute times).
    public func sagas(matching filter: SagaFilter) async throws(Problem) -> JSONValue {
        var query: [(String, String)] = []
        if let type = filter.type { query.append(("type", type)) }
        if !filter.states.isEmpty { query.append(("state", filter.states.map(\.rawValue).joined(separator: ","))) }
        if let since = filter.since { query.append(("since", SagaReport.time(since))) }
        if let until = filter.until { query.append(("until", SagaReport.time(until))) }
        if let step = filter.step { query.append(("step", step)) }
        if let code = filter.failureCode { query.append(("failureCode", code)) }
        if let prefix = filter.idPrefix { query.append(("idPrefix", prefix)) }
        if let after = filter.after { query.append(("cursor", after.token)) }
        query.append(("limit", String(filter.limit)))
        let (status, body) = try await upstream.get("/sagas", query: query)
        guard status == 200, case .array? = body["sagas"] else {
            throw upstream.problem(.badGateway, "GET \(upstream.baseURL)/sagas answered \(status) without a sagas array")
        }
        return body
    }

    /// The orchestrator's timeline of saga `id`, or nil on its 404.
    public func timeline(id: String) async throws(Problem) -> JSONValue? {
        let (status, body) = try await upstream.get("/sagas/" + id + "/timeline")
        if status == 404 { return nil }
        guard status == 200, case .array? = body["entries"] else {
            throw upstream.problem(.badGateway, "GET \(upstream.baseURL)/sagas/\(id)/timeline answered \(status) without an entries array")
        }
        return body
    }

    /// The orchestrator's counts.
    public func counts() async throws(Problem) -> JSONValue {
        let (status, body) = try await upstream.get("/sagas/counts")
        guard status == 200, case .object? = body["byState"] else {
            throw upstream.problem(.badGateway, "GET \(upstream.baseURL)/sagas/counts answered \(status) without byState")
        }
        return body
    }
}
