import ArgumentParser
import Avro
import Foundation
import SagaAvro
import SagaContracts
import SagaCore

/// `sagactl saga timeline SAGA-ID [--json]`.
struct SagaTimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show a saga's timeline: every command, reply, timer, lifecycle event and operator action, payloads decoded.",
        discussion: """
            Asks the HTTP API (--url or SAGA_URL, with a viewer or operator token in SAGA_TOKEN) or reads the \
            orchestrator's SQLite store (--store or SAGA_STORE). Exit status 1 when no saga has the id.
            """
    )

    @Argument(help: "The saga id.") var sagaID: String
    @Flag(help: "Print the timeline as JSON (as GET /sagas/{id}/timeline answers).") var json = false
    @OptionGroup var api: APIOption
    @OptionGroup var store: SagaStoreOption

    func run() async throws {
        try await runReportingErrors {
            let timeline: JSONValue
            if case .api(let client) = try SagaSource.choose(api: api, store: store) {
                timeline = try await client.get("/sagas/\(sagaID)/timeline")
            } else {
                let stored: SagaTimeline?
                do {
                    stored = try await store.open().timeline(sagaID: sagaID.lowercased())
                } catch let error as SagaStoreError {
                    throw CLIError.input("cannot read the timeline of saga \(sagaID): \(error)")
                }
                guard let stored else { throw CLIError.failed("no saga with id \(sagaID) in the store") }
                timeline = stored.json(payloads: .contracts)
            }
            StandardStreams.writeLine(json ? timeline.prettySerialized : Self.text(timeline))
        }
    }

    /// The longest payload summary in the text rendering.
    static let summaryLength = 100

    /// The timeline as text: a header, then one line per entry (sequence, time, kind,
    /// step#attempt, short type, outcome, payload summary or detail).
    static func text(_ timeline: JSONValue) -> String {
        var lines = [
            "saga   \(SagaReportJSON.string(timeline, "sagaId"))",
            "type   \(SagaReportJSON.string(timeline, "type"))",
            "state  \(SagaReportJSON.string(timeline, "state"))",
        ]
        guard case .array(let entries)? = timeline["entries"] else { return lines.joined(separator: "\n") }
        let rows = entries.map { entry in
            var step = SagaReportJSON.string(entry, "step")
            if case .integer(let item)? = entry["item"] { step += "[\(item)]" }
            let attempt = SagaReportJSON.string(entry, "attempt")
            if !attempt.isEmpty { step += "#" + attempt }
            // A payload's Avro name without its namespace; an operator's action (`saga.retry`) whole.
            let messageType = SagaReportJSON.string(entry, "messageType")
            let type = SagaReportJSON.string(entry, "kind") == "operator"
                ? messageType : messageType.split(separator: ".").last.map(String.init) ?? ""
            return [
                SagaReportJSON.string(entry, "sequence"), SagaReportJSON.string(entry, "at"), SagaReportJSON.string(entry, "kind"),
                step, type, SagaReportJSON.string(entry, "outcome"), summary(entry),
            ]
        }
        lines += TextTable.render(header: ["#", "AT", "KIND", "STEP", "TYPE", "OUTCOME", "PAYLOAD / DETAIL"], rows: rows)
        return lines.joined(separator: "\n")
    }

    /// The entry's payload as compact JSON (or why it could not be decoded), then its detail, cut to ``summaryLength``.
    static func summary(_ entry: JSONValue) -> String {
        var parts: [String] = []
        if let payload = entry["payload"], payload != .null { parts.append(payload.serialized) }
        let error = SagaReportJSON.string(entry, "payloadError")
        if !error.isEmpty { parts.append("undecodable: " + error) }
        let detail = SagaReportJSON.string(entry, "detail")
        if !detail.isEmpty { parts.append(detail) }
        let text = parts.joined(separator: " — ")
        return text.count > summaryLength ? String(text.prefix(summaryLength - 1)) + "…" : text
    }
}
