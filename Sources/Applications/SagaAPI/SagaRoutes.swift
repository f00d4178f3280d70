import Avro
import Foundation
import Hummingbird
import SagaCore
import SagaSQLite

/// `GET /sagas/{id}`, `GET /sagas?type=&state=&step=&failureCode=&idPrefix=&since=&until=&cursor=&limit=`
/// `GET /sagas/counts` and `GET /sagas/{id}/timeline` (viewer and operator: it carries the
/// messages' payloads, which a producer may not read): saga status through a ``SagaQuerying``.
public struct SagaRoutes: Sendable {
    /// The routes this group registers.
    public static let routes = [
        APIRoute(.get, "/sagas/{id}", access: .readSagaStatus), APIRoute(.get, "/sagas", access: .read),
        APIRoute(.get, "/sagas/counts", access: .read), APIRoute(.get, "/sagas/{id}/timeline", access: .read),
    ]
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
            JSONResponse.make(status: .ok, json: try await sagas.sagas(matching: try Self.filter(request.uri.queryParameters, now: Date())))
        }
        Self.routes[2].register(on: router) { _, _ in
            JSONResponse.make(status: .ok, json: try await sagas.counts())
        }
        Self.routes[3].register(on: router) { _, context in
            let sagaID = try OperatorRoutes.sagaID(context.parameters.get("id"))
            guard let timeline = try await sagas.timeline(id: sagaID) else {
                throw Problem(.notFound, detail: "no saga has id \(sagaID)")
            }
            return JSONResponse.make(status: .ok, json: timeline)
        }
    }

    /// The query parameters of `GET /sagas`.
    static let filterParameters = ["type", "state", "step", "failureCode", "idPrefix", "since", "until", "cursor", "limit"]

    /// Reads the list filter from query parameters (`state` repeatable or a comma list; `since`
    /// and `until` ISO 8601 or an age like `30m`; `cursor` a previous page's `next`; `limit`
    /// 1–``maximumLimit``, default 100); unknown parameters are errors.
    static func filter(_ query: Parameters, now: Date) throws(Problem) -> SagaFilter {
        var reader = FieldReader()
        for (name, _) in query where !filterParameters.contains(String(name)) {
            reader.fail(String(name), "is not a known query parameter (expected: \(filterParameters.joined(separator: ", ")))")
        }
        func text(_ name: String) -> String? {
            guard let value = query[Substring(name)].map(String.init) else { return nil }
            if value.isEmpty { reader.fail(name, "must not be empty") }
            return value
        }
        let step = text("step"), failureCode = text("failureCode"), idPrefix = text("idPrefix")
        var until: Date?
        if let value = query["until"] {
            do throws(SagaFilterError) { until = try SagaFilter.time(String(value), now: now) } catch { reader.fail("until", error.description) }
        }
        var cursor: SagaFilter.Cursor?
        if let value = query["cursor"] {
            cursor = SagaFilter.Cursor(token: String(value))
            if cursor == nil { reader.fail("cursor", "is not a cursor of this list (use the `next` of a previous page)") }
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
        return SagaFilter(type: type, states: states, since: since, until: until, step: step, failureCode: failureCode,
            idPrefix: idPrefix, after: cursor, limit: limit)
    }
}
