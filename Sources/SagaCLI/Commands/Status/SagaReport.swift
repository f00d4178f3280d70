import Avro
import Foundation
import SagaEngine

/// A saga as `status` and `sagas` show it: its state plus its step history.
struct SagaReport: Sendable {
    let state: SagaState
    let history: [StepAttemptRecord]

    /// The step the saga is at: the name its latest request in this phase and index had.
    var currentStep: String {
        // A finished saga is shown at the step it ended on (its latest request).
        let name = history.last { $0.phase == state.phase && $0.stepIndex == state.stepIndex }?.stepName
            ?? (state.status.isTerminal ? history.last?.stepName : nil)
        return name ?? (state.status.isTerminal ? "-" : "step \(state.stepIndex)")
    }

    /// The saga data as JSON: decoded with the contracts when it is single-object Avro, parsed
    /// when it is JSON text, else its bytes in hex (with why).
    static func data(_ bytes: [UInt8], schemas: ContractSchemas?) -> JSONValue {
        if let schemas, bytes.starts(with: AvroSingleObject.marker) {
            switch RecordRenderer(schemas: schemas).decode(bytes) {
            case .success(let decoded): return .object([("type", .string(decoded.type)), ("value", decoded.json)])
            case .failure(let error): return .object([("error", .string(error.message)), ("hex", .string(RecordRenderer.hex(bytes)))])
            }
        }
        if let json = try? JSONValue(parsing: bytes) { return json }
        return .object([("hex", .string(RecordRenderer.hex(bytes)))])
    }

    /// The report as one JSON object.
    func json(schemas: ContractSchemas?) -> JSONValue {
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
            ("data", Self.data(state.data, schemas: schemas)),
            ("history", .array(history.map(Self.json))),
        ])
    }

    static func json(_ attempt: StepAttemptRecord) -> JSONValue {
        .object([
            ("sequence", .integer(Int64(attempt.sequence))),
            ("phase", .string(attempt.phase.rawValue)),
            ("step", .string(attempt.stepName)),
            ("attempt", .integer(Int64(attempt.attempt))),
            ("startedAt", .string(time(attempt.startedAt))),
            ("finishedAt", attempt.finishedAt.map { .string(time($0)) } ?? .null),
            ("outcome", attempt.outcome.map { .string($0.rawValue) } ?? .null),
            ("error", attempt.error.map(JSONValue.string) ?? .null),
        ])
    }

    /// The report as text for a person.
    func text(schemas: ContractSchemas?) -> String {
        var lines = [
            "saga     \(state.sagaID)",
            "type     \(state.sagaType)",
            "state    \(state.status.rawValue) (phase \(state.phase.rawValue), step \(currentStep), attempt \(state.attempt))",
            "created  \(Self.time(state.createdAt))",
            "updated  \(Self.time(state.updatedAt))",
        ]
        if let deadline = state.deadline { lines.append("deadline \(Self.time(deadline))" + (state.deadlineKind.map { " (\($0.rawValue))" } ?? "")) }
        if let reason = state.failureReason { lines.append("failure  \(reason)") }
        lines.append("data     " + Self.data(state.data, schemas: schemas).serialized)
        lines.append("history")
        let rows = history.map { attempt in
            [String(attempt.sequence), attempt.phase.rawValue, attempt.stepName, String(attempt.attempt), Self.time(attempt.startedAt),
             attempt.finishedAt.map(Self.time) ?? "-", attempt.outcome?.rawValue ?? "pending", attempt.error ?? ""]
        }
        lines += TextTable.render(header: ["#", "PHASE", "STEP", "ATTEMPT", "STARTED", "FINISHED", "OUTCOME", "ERROR"], rows: rows)
            .map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    /// A time as ISO 8601 UTC with milliseconds.
    static func time(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
