import Avro
import SagaCore

extension AuditEntry {
    /// The entry as the API and the audit topic show it.
    public var json: JSONValue {
        .object([
            ("sequence", .integer(sequence)), ("id", .string(id)), ("at", .string(SagaReport.time(at))),
            ("actor", .string(actor)), ("role", role.map(JSONValue.string) ?? .null), ("action", .string(action.rawValue)),
            ("target", .string(target)), ("note", note.map(JSONValue.string) ?? .null), ("outcome", .string(outcome.rawValue)),
            ("detail", detail.map(JSONValue.string) ?? .null),
        ])
    }

    /// The `message-type` header of audit-topic records.
    public static let messageType = "swift-saga.audit.AuditEntry"

    /// The entry's record on `topic`: its JSON, keyed by its target (one target's entries keep
    /// their order), with `message-id` (the entry id), `message-type` and `content-type: application/json`.
    public func message(topic: String) -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: Array(target.utf8), value: Array(json.serialized.utf8), headers: [
            SagaHeader(SagaHeaders.messageID, id), SagaHeader(SagaHeaders.messageType, Self.messageType),
            SagaHeader(SagaHeaders.contentType, JSONResponse.contentType),
        ])
    }
}
