import Avro
import Foundation
import Hummingbird
import SagaCore
import SagaSQLite

/// `GET /sagas/{id}` and `GET /sagas?type=&state=&since=&limit=`: saga status through a ``SagaQuerying``.
public struct SagaRoutes: Sendable {
    /// The routes this group registers.
    public static let routes = [APIRoute(.get, "/sagas/{id}"), APIRoute(.get, "/sagas")]
    /// The largest `limit`.
    public static let maximumLimit = 1000

    private let sagas: any SagaQuerying

    /// Serves sagas through `sagas` (``LocalSagaQuerying`` in the orchestrator role, ``RemoteSagaQuerying`` in the api role).
    public init(sagas: any SagaQuerying) {
        self.sagas = sagas
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let sagas = self.sagas
        Self.routes[0].register(on: router) { _, context in
            let raw = context.parameters.get("id") ?? ""
            guard let id = UUID(uuidString: raw) else {
                throw Problem.invalid([FieldError(field: "id", message: "must be a saga id (a UUID), not \"\(raw)\"")])
            }
            let sagaID = id.uuidString.lowercased()
            guard let report = try await sagas.saga(id: sagaID) else {
                throw Problem(.notFound, detail: "no saga has id \(sagaID)")
            }
            return JSONResponse.make(status: .ok, json: report)
        }
        Self.routes[1].register(on: router) { request, _ in
            let found = try await sagas.sagas(matching: try Self.filter(request.uri.queryParameters, now: Date()))
            return JSONResponse.make(status: .ok, json: .object([("sagas", .array(found)), ("count", .integer(Int64(found.count)))]))
        }
    }

    /// Reads the list filter from query parameters (`state` repeatable or a comma list; `since`
    /// ISO 8601 or an age like `30m`; `limit` 1–``maximumLimit``, default 100); unknown parameters are errors.
    static func filter(_ query: Parameters, now: Date) throws(Problem) -> SagaFilter {
        var reader = FieldReader()
        for (name, _) in query where !["type", "state", "since", "limit"].contains(name) {
            reader.fail(String(name), "is not a known query parameter (expected: type, state, since, limit)")
        }
        let type = query["type"].map(String.init)
        if let type, type.isEmpty { reader.fail("type", "must not be empty") }
        var states: [SagaStatus] = []
        do throws(SagaFilterError) {
            states = try SagaFilter.states(query.getAll("state"))
        } catch {
            reader.fail("state", error.description)
        }
        var since: Date?
        if let text = query["since"] {
            do throws(SagaFilterError) { since = try SagaFilter.time(String(text), now: now) } catch { reader.fail("since", error.description) }
        }
        var limit = SagaFilter.defaultLimit
        if let text = query["limit"] {
            if let value = Int(text), (1...maximumLimit).contains(value) {
                limit = value
            } else {
                reader.fail("limit", "must be an integer from 1 to \(maximumLimit), not \"\(text)\"")
            }
        }
        try reader.check()
        return SagaFilter(type: type, states: states, since: since, limit: limit)
    }
}
