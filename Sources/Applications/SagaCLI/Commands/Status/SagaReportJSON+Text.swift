import Avro

/// Text renderings of the API's JSON saga reports (`GET /sagas/{id}`, `GET /sagas`), in the same
/// layout as the local store's report (``SagaReport/text(schemas:)``); `sagactl sagas` renders both sources with it.
enum SagaReportJSON {
    /// A string member, "" when absent or not a string.
    static func string(_ json: JSONValue?, _ key: String) -> String {
        switch json?[key] {
        case .string(let text)?: text
        case .integer(let number)?: String(number)
        default: ""
        }
    }

    /// One report as text for a person.
    static func text(_ report: JSONValue) -> String {
        if !string(report, "detailsRemovedAt").isEmpty {
            return [
                "saga     \(string(report, "sagaId"))",
                "type     \(string(report, "type"))",
                "state    \(string(report, "state"))",
                "created  \(string(report, "createdAt"))",
                "updated  \(string(report, "updatedAt"))",
                "removed  \(string(report, "detailsRemovedAt")) (data, steps and timeline: past the retention of finished sagas)",
            ].joined(separator: "\n")
        }
        var lines = [
            "saga     \(string(report, "sagaId"))",
            "type     \(string(report, "type"))",
            "state    \(string(report, "state")) (phase \(string(report, "phase")), step \(string(report, "currentStep")), attempt \(string(report, "attempt")))",
            "created  \(string(report, "createdAt"))",
            "updated  \(string(report, "updatedAt"))",
        ]
        if !string(report, "deadline").isEmpty { lines.append("deadline \(string(report, "deadline"))") }
        if !string(report, "failureReason").isEmpty { lines.append("failure  \(string(report, "failureReason"))") }
        lines.append("data     " + (report["data"]?.serialized ?? "null"))
        lines.append("history")
        var rows: [[String]] = []
        if case .array(let history)? = report["history"] {
            rows = history.map { attempt in
                [string(attempt, "sequence"), string(attempt, "phase"), string(attempt, "step"), string(attempt, "attempt"),
                 string(attempt, "startedAt"), string(attempt, "finishedAt").isEmpty ? "-" : string(attempt, "finishedAt"),
                 string(attempt, "outcome").isEmpty ? "pending" : string(attempt, "outcome"), string(attempt, "error")]
            }
        }
        lines += TextTable.render(header: ["#", "PHASE", "STEP", "ATTEMPT", "STARTED", "FINISHED", "OUTCOME", "ERROR"], rows: rows)
            .map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    /// The sagas as the table of `sagactl sagas`.
    static func table(_ reports: [JSONValue]) -> [String] {
        TextTable.render(
            header: ["SAGA ID", "TYPE", "STATE", "STEP", "ATTEMPT", "STARTED", "UPDATED", "FAILURE"],
            rows: reports.map { report in
                [string(report, "sagaId"), string(report, "type"), string(report, "state"), string(report, "currentStep"),
                 string(report, "attempt"), string(report, "createdAt"), string(report, "updatedAt"), string(report, "failureReason")]
            })
    }
}
