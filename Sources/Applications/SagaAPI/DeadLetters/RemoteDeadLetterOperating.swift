import Avro
import SagaCore

/// Reads and replays dead letters by forwarding to the orchestrator role (`SAGA_ORCHESTRATOR_URL`,
/// which keeps the audit trail) with the caller's token, which the orchestrator role checks and
/// records. Upstream problems pass through.
public struct RemoteDeadLetterOperating: DeadLetterOperating {
    private let upstream: Upstream

    /// Forwards to `upstream` (the orchestrator role).
    public init(upstream: Upstream) {
        self.upstream = upstream
    }

    public func topics() async throws(Problem) -> JSONValue {
        try await get("/dead-letters/topics", [], expecting: "topics")
    }

    public func groups(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue {
        try await get("/dead-letters/groups", page.query, expecting: "groups")
    }

    public func letters(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue {
        try await get("/dead-letters/letters", page.query, expecting: "letters")
    }

    public func letter(id: DeadLetterID) async throws(Problem) -> JSONValue {
        let (status, body) = try await upstream.get("/dead-letters/letters/\(DeadLetterRoutes.pathSegment(id))")
        if status == 404, let problem = Problem(json: body) { throw problem }
        return body
    }

    public func replay(_ request: DeadLetterReplayRequest) async throws(Problem) -> JSONValue {
        try await upstream.post("/dead-letters/replays", json: request.json).body
    }

    public func editAndReplay(id: DeadLetterID, value: JSONValue, note: String?) async throws(Problem) -> JSONValue {
        var body: [(key: String, value: JSONValue)] = [("value", value)]
        if let note { body.append(("note", .string(note))) }
        return try await upstream.post("/dead-letters/letters/\(DeadLetterRoutes.pathSegment(id))/edit-and-replay", json: .object(body)).body
    }

    public func replays(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue {
        try await get("/dead-letters/replays", page.query, expecting: "replays")
    }

    private func get(_ path: String, _ query: [(String, String)], expecting member: String) async throws(Problem) -> JSONValue {
        let (status, body) = try await upstream.get(path, query: query)
        if status == 404, let problem = Problem(json: body) { throw problem }
        guard status == 200, case .array? = body[member] else {
            throw upstream.problem(.badGateway, "GET \(upstream.baseURL)\(path) answered \(status) without a \(member) array")
        }
        return body
    }
}
