import Avro
import Foundation
import SagaCore

/// The JSON rendering of a timeline (`GET /sagas/{id}/timeline`, `sagactl saga timeline --json`).
extension SagaTimeline {
    /// `{"sagaId", "type", "state", "entries": [...]}`, payloads decoded by `payloads`.
    public func json(payloads: AvroPayloadJSON) -> JSONValue {
        .object([
            ("sagaId", .string(state.sagaID)),
            ("type", .string(state.sagaType)),
            ("state", .string(state.status.rawValue)),
            ("entries", .array(entries.map { Self.json($0, payloads: payloads) })),
        ])
    }

    /// One entry: `payload` is the decoded value (null when there is none, or it could not be
    /// decoded: then `payloadError` says why); `item`, `payloadError`, `outcome` and `detail`
    /// are present only when they have a value.
    public static func json(_ entry: SagaTimelineEntry, payloads: AvroPayloadJSON) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("sequence", .integer(entry.sequence)),
            ("at", .string(SagaReport.time(entry.at))),
            ("kind", .string(entry.kind.rawValue)),
            ("step", entry.step.map(JSONValue.string) ?? .null),
            ("attempt", entry.attempt.map { .integer(Int64($0)) } ?? .null),
        ]
        if let item = entry.item { members.append(("item", .integer(Int64(item)))) }
        members.append(("topic", entry.topic.map(JSONValue.string) ?? .null))
        members.append(("messageType", entry.messageType.map(JSONValue.string) ?? .null))
        if let bytes = entry.payload, !bytes.isEmpty {
            switch payloads.decode(bytes) {
            case .success(let decoded): members.append(("payload", decoded.json))
            case .failure(let failure):
                members.append(("payload", .null))
                members.append(("payloadError", .string(failure.message)))
            }
        } else {
            members.append(("payload", .null))
        }
        if let outcome = entry.outcome { members.append(("outcome", .string(outcome))) }
        if let detail = entry.detail { members.append(("detail", .string(detail))) }
        return .object(members)
    }
}
