import Avro
import SagaCore

/// The JSON rendering of a removed saga (`GET /sagas/{id}` once the retention of finished sagas
/// removed its details): the members a report has that are still known, and `detailsRemovedAt`.
extension SagaTombstone {
    /// The tombstone as one JSON object.
    public var json: JSONValue {
        .object([
            ("sagaId", .string(sagaID)),
            ("type", .string(sagaType)),
            ("state", .string(status.rawValue)),
            ("createdAt", .string(SagaReport.time(startedAt))),
            ("updatedAt", .string(SagaReport.time(endedAt))),
            ("detailsRemovedAt", .string(SagaReport.time(removedAt))),
        ])
    }
}
