import Avro
import Foundation
import SagaCore

/// The JSON rendering of a report (`sagactl status --json`, `GET /sagas/{id}`), in Avro's
/// order-keeping JSON so fields print in a stable order.
extension SagaReport {
    /// The report as one JSON object, with `data` as the saga data's rendering (see ``plainData(_:)``).
    public func json(data: JSONValue) -> JSONValue {
        .object([
            ("sagaId", .string(state.sagaID)),
            ("type", .string(state.sagaType)),
            ("state", .string(state.status.rawValue)),
            ("phase", .string(state.phase.rawValue)),
            ("currentStep", .string(currentStep)),
            ("attempt", .integer(Int64(state.attempt))),
            ("failureReason", state.failureReason.map(JSONValue.string) ?? .null),
            ("createdAt", .string(Self.time(state.createdAt))),
            ("updatedAt", .string(Self.time(state.updatedAt))),
            ("deadline", state.deadline.map { .string(Self.time($0)) } ?? .null),
            ("data", data),
            ("history", .array(history.map(Self.json))),
        ])
    }

    /// The report as JSON with its data rendered by ``plainData(_:)``.
    public var json: JSONValue { json(data: Self.plainData(state.data)) }

    /// One history entry as JSON (`item`: the item's index for a step over a list, else absent).
    public static func json(_ attempt: StepAttemptRecord) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("sequence", .integer(Int64(attempt.sequence))),
            ("phase", .string(attempt.phase.rawValue)),
            ("step", .string(attempt.stepName)),
            ("attempt", .integer(Int64(attempt.attempt))),
            ("startedAt", .string(time(attempt.startedAt))),
            ("finishedAt", attempt.finishedAt.map { .string(time($0)) } ?? .null),
            ("outcome", attempt.outcome.map { .string($0.rawValue) } ?? .null),
            ("error", attempt.error.map(JSONValue.string) ?? .null),
        ]
        if let item = attempt.item { members.insert(("item", .integer(Int64(item))), at: 3) }
        return .object(members)
    }

    /// Saga data as JSON without contract schemas: parsed when it is JSON text (the sagas of
    /// this package store JSON), `null` when empty, else `{"hex": "…"}`.
    public static func plainData(_ bytes: [UInt8]) -> JSONValue {
        if bytes.isEmpty { return .null }
        if let json = try? JSONValue(parsing: bytes) { return json }
        return .object([("hex", .string(hex(bytes)))])
    }

    /// Lower-case hex digits of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }

    /// A time as ISO 8601 UTC with milliseconds.
    public static func time(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
