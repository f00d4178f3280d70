import ArgumentParser
import Foundation
import Avro

/// `sagactl saga …`: operate parked sagas over the HTTP API.
struct SagaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga",
        abstract: "Retry or resolve parked sagas, read the audit trail and a saga's timeline, over the HTTP API.",
        discussion: """
            Talks to the HTTP API (--url or SAGA_URL) with the bearer token of SAGA_TOKEN: retry and resolve need \
            an operator token, audit and timeline a viewer or operator token (timeline also reads a local store with --store). Every retry and resolve is recorded in the audit \
            trail under the token's name. Exit status 1 when the API refuses (a saga that is not parked, an \
            unknown saga, a token without the role).
            """,
        subcommands: [SagaRetryCommand.self, SagaResolveCommand.self, SagaAuditCommand.self, SagaTimelineCommand.self]
    )
}

/// What `saga retry|resolve|audit` share: the API, required.
struct RequiredAPIOption: ParsableArguments {
    @OptionGroup var api: APIOption

    func client() throws -> SagaAPIClient {
        guard let client = try api.client() else { throw CLIError.input("no API: give --url URL or set SAGA_URL (and SAGA_TOKEN)") }
        return client
    }
}

/// The text line of an action's answer: `saga <id>: saga.retry applied (running), audit #12`.
func actionLine(_ answer: JSONValue) -> String {
    let audit = answer["audit"]
    return "saga \(SagaReportJSON.string(answer, "sagaId")): \(SagaReportJSON.string(answer, "action")) "
        + "\(SagaReportJSON.string(answer, "outcome")) (now \(SagaReportJSON.string(answer, "state"))), "
        + "audit #\(SagaReportJSON.string(audit, "sequence")) by \(SagaReportJSON.string(audit, "actor"))"
}

/// `sagactl saga retry SAGA-ID`.
struct SagaRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Ask a parked saga to send its stuck request again (operator token).")

    @Argument(help: "The saga id.") var sagaID: String
    @Flag(help: "Print the API's JSON answer.") var json = false
    @OptionGroup var api: RequiredAPIOption

    func run() async throws {
        try await runReportingErrors {
            let answer = try await api.client().post("/sagas/\(sagaID)/retry", json: .object([]))
            StandardStreams.writeLine(json ? answer.prettySerialized : actionLine(answer))
        }
    }
}

/// `sagactl saga resolve SAGA-ID --note TEXT`.
struct SagaResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Declare a parked saga's stuck step done by hand, saying why (operator token).",
        discussion: "The saga goes on as if the step had succeeded. The note is required and goes into the audit trail.")

    @Argument(help: "The saga id.") var sagaID: String
    @Option(help: "Why the step is resolved by hand (a ticket, what was done).") var note: String
    @Flag(help: "Print the API's JSON answer.") var json = false
    @OptionGroup var api: RequiredAPIOption

    func validate() throws {
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--note must say why") }
    }

    func run() async throws {
        try await runReportingErrors {
            let answer = try await api.client().post("/sagas/\(sagaID)/resolve", json: .object([("note", .string(note))]))
            StandardStreams.writeLine(json ? answer.prettySerialized : actionLine(answer))
        }
    }
}

/// `sagactl saga audit [--saga ID] [--limit N] [--all]`.
struct SagaAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "List what operators did, newest first (viewer or operator token).")

    @Option(name: .customLong("saga"), help: "Only entries about this saga.") var sagaID: String?
    @Option(help: "Entries per page (1–500).") var limit = 50
    @Flag(help: "Follow the cursor to the oldest entry instead of showing one page.") var all = false
    @Flag(help: "Print JSON Lines (one entry per line).") var json = false
    @OptionGroup var api: RequiredAPIOption

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
    }

    func run() async throws {
        try await runReportingErrors {
            let client = try api.client()
            var cursor: String?
            var entries: [JSONValue] = []
            repeat {
                var query: [(String, String)] = [("limit", String(limit))]
                if let sagaID { query.append(("target", sagaID)) }
                if let cursor { query.append(("cursor", cursor)) }
                let page = try await client.get("/audit", query: query)
                guard case .array(let items)? = page["entries"] else { throw CLIError.failed("GET /audit answered without entries") }
                entries += items
                if case .string(let next)? = page["next"] { cursor = next } else { cursor = nil }
            } while all && cursor != nil
            if json {
                for entry in entries { StandardStreams.writeLine(entry.serialized) }
                return
            }
            let rows = entries.map { entry in
                ["#" + SagaReportJSON.string(entry, "sequence"), SagaReportJSON.string(entry, "at"), SagaReportJSON.string(entry, "actor"),
                 SagaReportJSON.string(entry, "action"), SagaReportJSON.string(entry, "target"), SagaReportJSON.string(entry, "outcome"),
                 SagaReportJSON.string(entry, "note")]
            }
            for line in TextTable.render(header: ["#", "AT", "ACTOR", "ACTION", "TARGET", "OUTCOME", "NOTE"], rows: rows) {
                StandardStreams.writeLine(line)
            }
            if !all, cursor != nil { StandardStreams.writeError("sagactl: more entries: --all lists them all") }
        }
    }
}
