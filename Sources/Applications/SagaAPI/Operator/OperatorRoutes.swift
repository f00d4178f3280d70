import Avro
import Foundation
import Hummingbird

/// The operator's saga routes through a ``SagaOperating``: `POST /sagas/{id}/retry`,
/// `POST /sagas/{id}/resolve` (`{"note": "…"}`, required), both for the `operator` role, and
/// `GET /audit?cursor=&target=&limit=` (the audit trail, newest first) for `viewer` and `operator`.
public struct OperatorRoutes: Sendable {
    /// The routes this group registers.
    public static let routes = [
        APIRoute(.post, "/sagas/{id}/retry", access: .operate), APIRoute(.post, "/sagas/{id}/resolve", access: .operate),
        APIRoute(.get, "/audit", access: .read),
    ]
    /// The longest resolve note.
    public static let maximumNoteLength = 2_000

    private let operating: any SagaOperating

    /// Serves the routes through `operating` (``LocalSagaOperating`` in the orchestrator role, ``RemoteSagaOperating`` in the api role).
    public init(operating: any SagaOperating) {
        self.operating = operating
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let operating = self.operating
        Self.routes[0].register(on: router) { _, context in
            let id = try Self.sagaID(context.parameters.get("id"))
            return JSONResponse.make(status: .ok, json: try await operating.retry(sagaID: id))
        }
        Self.routes[1].register(on: router) { request, context in
            let id = try Self.sagaID(context.parameters.get("id"))
            let note = try Self.note(try await JSONRequestBody.json(request))
            return JSONResponse.make(status: .ok, json: try await operating.resolve(sagaID: id, note: note))
        }
        Self.routes[2].register(on: router) { request, _ in
            JSONResponse.make(status: .ok, json: try await operating.auditTrail(try Self.page(request.uri.queryParameters)))
        }
    }

    /// The saga id of the path, lowercased; a 400 unless it is a UUID.
    static func sagaID(_ raw: String?) throws(Problem) -> String {
        guard let raw, let id = UUID(uuidString: raw) else {
            throw Problem.invalid([FieldError(field: "id", message: "must be a saga id (a UUID), not \"\(raw ?? "")\"")])
        }
        return id.uuidString.lowercased()
    }

    /// The required `note` of a resolve body: non-blank, at most ``maximumNoteLength`` characters.
    static func note(_ body: JSONValue) throws(Problem) -> String {
        var reader = FieldReader()
        var note = ""
        if let object = reader.object(body, at: "", allowed: ["note"]), let text = reader.string(object, "note", at: "") {
            note = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if note.isEmpty { reader.fail("note", "must say why the step is resolved by hand (it goes into the audit trail)") }
            if note.count > maximumNoteLength { reader.fail("note", "must be at most \(maximumNoteLength) characters") }
        }
        try reader.check()
        return note
    }

    /// The page of `GET /audit`; unknown parameters are errors.
    static func page(_ query: Parameters) throws(Problem) -> AuditPageRequest {
        var reader = FieldReader()
        for (name, _) in query where !["cursor", "target", "limit"].contains(name) {
            reader.fail(String(name), "is not a known query parameter (expected: cursor, target, limit)")
        }
        var page = AuditPageRequest()
        page.cursor = query["cursor"].map(String.init)
        if let target = query["target"] {
            if let id = UUID(uuidString: String(target)) { page.target = id.uuidString.lowercased() } else { page.target = String(target) }
        }
        if let text = query["limit"] {
            if let value = Int(text), (1...AuditPageRequest.maximumLimit).contains(value) {
                page.limit = value
            } else {
                reader.fail("limit", "must be an integer from 1 to \(AuditPageRequest.maximumLimit), not \"\(text)\"")
            }
        }
        try reader.check()
        return page
    }
}
