import Avro
import Foundation
import SagaCore
import SagaAvro

/// The CLI's renderings of a saga report (the report itself is the engine's ``SagaReport``).
extension SagaReport {
    /// The saga data as JSON: decoded with the contracts when it is single-object Avro, else
    /// as ``SagaReport/plainData(_:)`` renders it (parsed JSON, or hex).
    static func data(_ bytes: [UInt8], schemas: ContractSchemas?) -> JSONValue {
        if let schemas, bytes.starts(with: AvroSingleObject.marker) {
            switch RecordRenderer(schemas: schemas).decode(bytes) {
            case .success(let decoded): return .object([("type", .string(decoded.type)), ("value", decoded.json)])
            case .failure(let error): return .object([("error", .string(error.message)), ("hex", .string(RecordRenderer.hex(bytes)))])
            }
        }
        return plainData(bytes)
    }

    /// The report as one JSON object.
    func json(schemas: ContractSchemas?) -> JSONValue { json(data: Self.data(state.data, schemas: schemas)) }

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
            [String(attempt.sequence), attempt.phase.rawValue, attempt.stepName + (attempt.item.map { "[\($0)]" } ?? ""), String(attempt.attempt), Self.time(attempt.startedAt),
             attempt.finishedAt.map(Self.time) ?? "-", attempt.outcome?.rawValue ?? "pending", attempt.error ?? ""]
        }
        lines += TextTable.render(header: ["#", "PHASE", "STEP", "ATTEMPT", "STARTED", "FINISHED", "OUTCOME", "ERROR"], rows: rows)
            .map { "  " + $0 }
        return lines.joined(separator: "\n")
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
