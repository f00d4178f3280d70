import Avro

/// Operates sagas by forwarding to the orchestrator role (`SAGA_ORCHESTRATOR_URL`) with the
/// caller's token, which the orchestrator role checks and records. Upstream problems pass through.
public struct RemoteSagaOperating: SagaOperating {
    private let upstream: Upstream

    /// Forwards to `upstream` (the orchestrator role).
    public init(upstream: Upstream) {
        self.upstream = upstream
    }

    public func retry(sagaID: String) async throws(Problem) -> JSONValue {
        try await upstream.post("/sagas/\(sagaID)/retry", json: .object([])).body
    }

    public func resolve(sagaID: String, note: String) async throws(Problem) -> JSONValue {
        try await upstream.post("/sagas/\(sagaID)/resolve", json: .object([("note", .string(note))])).body
    }

    public func auditTrail(_ page: AuditPageRequest) async throws(Problem) -> JSONValue {
        let (status, body) = try await upstream.get("/audit", query: page.query)
        guard status == 200, case .array? = body["entries"] else {
            throw upstream.problem(.badGateway, "GET \(upstream.baseURL)/audit answered \(status) without an entries array")
        }
        return body
    }
}
