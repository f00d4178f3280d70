import ArgumentParser
import Avro
import Foundation
import SagaCore
import SagaAvro

/// `sagactl sagas`.
struct SagasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sagas",
        abstract: "List sagas by type, state, step, failure, start time and id prefix, newest first; or count them.",
        discussion: """
            Asks the HTTP API (--url or SAGA_URL, with a viewer or operator token in SAGA_TOKEN) or reads the \
            orchestrator's SQLite store (--store or SAGA_STORE). --since and --until take an ISO 8601 time \
            (2026-11-21T06:00:00Z) or an age: 90s, 30m, 2h, 7d. A full page ends with the cursor of the next \
            one on standard error (--cursor); --all follows the cursors to the oldest saga.
            """
    )

    @Option(help: "Only sagas of this type (order, transfer, …).") var type: String?
    @Option(name: .customLong("state"), help: "Only sagas in this state (repeatable, or a comma list): \(SagaStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
    var states: [String] = []
    @Option(help: "Only sagas at this step (e.g. creditPayee).") var step: String?
    @Option(name: .customLong("failure-code"), help: "Only sagas whose failure reason contains this (e.g. PAYMENT_DECLINED).") var failureCode: String?
    @Option(name: .customLong("id-prefix"), help: "Only sagas whose id starts with this.") var idPrefix: String?
    @Option(help: "Only sagas started at or after this time.") var since: String?
    @Option(help: "Only sagas started before this time.") var until: String?
    @Option(help: "Continue after this cursor (printed after a full page).") var cursor: String?
    @Option(help: "At most this many sagas per page.") var limit = 100
    @Flag(help: "Follow the cursors to the oldest saga.") var all = false
    @Flag(help: "Print the number of sagas per state and per type instead.") var counts = false
    @Flag(help: "Print JSON Lines (one saga per line, with its history); with --counts one JSON object.") var json = false
    @OptionGroup var api: APIOption
    @OptionGroup var store: SagaStoreOption
    @OptionGroup var schemas: SchemaDirectoryOption

    func run() async throws {
        try await runReportingErrors {
            let source = try SagaSource.choose(api: api, store: store)
            if counts {
                try await printCounts(source)
                return
            }
            var filter = try self.filter()
            var next: String?
            repeat {
                let page: [JSONValue]
                switch source {
                case .api(let client):
                    let answer = try await client.get("/sagas", query: Self.query(filter))
                    guard case .array(let reports)? = answer["sagas"] else { throw CLIError.failed("GET /sagas answered without a sagas array") }
                    page = reports
                    if case .string(let token)? = answer["next"] { next = token } else { next = nil }
                case .store(let option):
                    let reports = try await SagaQueries(store: try option.open()).list(filter)
                    let contracts = json ? schemas.loadIfPresent() : nil
                    page = reports.map { $0.json(schemas: contracts) }
                    next = reports.count == filter.limit ? reports.last.map { SagaFilter.Cursor(after: $0.state).token } : nil
                }
                if json {
                    for report in page { StandardStreams.writeLine(report.serialized) }
                } else {
                    for line in SagaReportJSON.table(page) { StandardStreams.writeLine(line) }
                }
                filter.after = next.flatMap(SagaFilter.Cursor.init(token:))
            } while all && next != nil
            if !all, let next { StandardStreams.writeError("sagactl: more sagas: --cursor \(next) (or --all)") }
        }
    }

    /// The filter the options describe.
    func filter() throws -> SagaFilter {
        let statuses: [SagaStatus], sinceDate: Date?, untilDate: Date?
        do throws(SagaFilterError) { statuses = try SagaFilter.states(states) } catch { throw CLIError.input("--state \(error)") }
        do throws(SagaFilterError) {
            sinceDate = try since.map { text throws(SagaFilterError) in try SagaFilter.time(text, now: Date()) }
        } catch { throw CLIError.input("--since \(error)") }
        do throws(SagaFilterError) {
            untilDate = try until.map { text throws(SagaFilterError) in try SagaFilter.time(text, now: Date()) }
        } catch { throw CLIError.input("--until \(error)") }
        var after: SagaFilter.Cursor?
        if let cursor {
            guard let position = SagaFilter.Cursor(token: cursor) else { throw CLIError.input("--cursor \(cursor): not a cursor sagactl printed") }
            after = position
        }
        return SagaFilter(type: type, states: statuses, since: sinceDate, until: untilDate, step: step, failureCode: failureCode,
            idPrefix: idPrefix, after: after, limit: limit)
    }

    /// The filter as `GET /sagas` query parameters.
    static func query(_ filter: SagaFilter) -> [(String, String)] {
        var query: [(String, String)] = filter.type.map { [("type", $0)] } ?? []
        if !filter.states.isEmpty { query.append(("state", filter.states.map(\.rawValue).joined(separator: ","))) }
        if let step = filter.step { query.append(("step", step)) }
        if let code = filter.failureCode { query.append(("failureCode", code)) }
        if let prefix = filter.idPrefix { query.append(("idPrefix", prefix)) }
        if let since = filter.since { query.append(("since", SagaReport.time(since))) }
        if let until = filter.until { query.append(("until", SagaReport.time(until))) }
        if let after = filter.after { query.append(("cursor", after.token)) }
        query.append(("limit", String(filter.limit)))
        return query
    }

    /// `--counts`: the API's `GET /sagas/counts`, or the store's counts in the same shape.
    func printCounts(_ source: SagaSource) async throws {
        let answer: JSONValue
        switch source {
        case .api(let client):
            answer = try await client.get("/sagas/counts")
        case .store(let option):
            let store = try option.open()
            let rows: [(type: String, status: SagaStatus, count: Int)]
            do { rows = try await store.counts() } catch { throw CLIError.input("cannot count sagas: \(error)") }
            var types: [String] = []
            for row in rows where !types.contains(row.type) { types.append(row.type) }
            answer = .object([
                ("total", .integer(Int64(rows.reduce(0) { $0 + $1.count }))),
                ("byState", .object(SagaStatus.allCases.map { status in
                    (status.rawValue, .integer(Int64(rows.filter { $0.status == status }.reduce(0) { $0 + $1.count })))
                })),
                ("byType", .object(types.map { type in
                    (type, .object(rows.filter { $0.type == type }.map { ($0.status.rawValue, .integer(Int64($0.count))) }))
                })),
            ])
        }
        if json {
            StandardStreams.writeLine(answer.prettySerialized)
            return
        }
        let states = SagaStatus.allCases.map(\.rawValue)
        var rows: [[String]] = []
        if case .object(let byType)? = answer["byType"] {
            for (type, counts) in byType { rows.append([type] + states.map { SagaReportJSON.string(counts, $0).isEmpty ? "0" : SagaReportJSON.string(counts, $0) }) }
        }
        rows.append(["all"] + states.map { SagaReportJSON.string(answer["byState"], $0).isEmpty ? "0" : SagaReportJSON.string(answer["byState"], $0) })
        for line in TextTable.render(header: ["TYPE"] + states.map { $0.uppercased() }, rows: rows) { StandardStreams.writeLine(line) }
    }
}
