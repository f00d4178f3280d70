import Avro
import HTTPTypes
import Hummingbird
import SagaCore

/// A saga start the API accepted: the saga's id and whether this request started it
/// (202 Accepted) or repeated an earlier one with the same idempotency key (200 OK).
public struct SagaAcceptance: Sendable, Hashable {
    /// The saga id (= the order id or transfer id).
    public var sagaID: String
    /// True when this request started the saga; false for a repeat.
    public var created: Bool

    /// Creates an acceptance.
    public init(sagaID: String, created: Bool) {
        self.sagaID = sagaID
        self.created = created
    }

    /// The response: 202 (or 200 for a repeat) with `{"sagaId", "<idMember>", "status": "accepted"}`,
    /// `Location: /sagas/<id>`, and the `traceparent` the saga runs under when `trace` is given.
    public func response(idMember: String, trace: TraceContext? = nil) -> Response {
        var headers = HTTPFields()
        headers[.location] = "/sagas/" + sagaID
        if let trace, let name = HTTPField.Name(SagaHeaders.traceparent) { headers[name] = trace.traceparent }
        return JSONResponse.make(status: created ? .accepted : .ok, json: json(idMember: idMember), headers: headers)
    }

    /// The body.
    public func json(idMember: String) -> JSONValue {
        .object([("sagaId", .string(sagaID)), (idMember, .string(sagaID)), ("status", .string("accepted"))])
    }

    /// Reads an acceptance back from an upstream's response (status 200 or 202 and its body).
    public init?(status: Int, json: JSONValue) {
        guard status == 200 || status == 202, case .string(let id)? = json["sagaId"] else { return nil }
        self.init(sagaID: id, created: status == 202)
    }
}
