import ArgumentParser
import Foundation
import SagaCore
import SagaAvro

/// `sagactl sagas`.
struct SagasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sagas",
        abstract: "List sagas by type, state and start time, newest first.",
        discussion: "--since takes an ISO 8601 time (2026-11-21T06:00:00Z) or an age: 90s, 30m, 2h, 7d."
    )

    @Option(help: "Only sagas of this type (order, transfer, …).") var type: String?
    @Option(name: .customLong("state"), help: "Only sagas in this state (repeatable, or a comma list): \(SagaStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
    var states: [String] = []
    @Option(help: "Only sagas started at or after this time.") var since: String?
    @Option(help: "At most this many sagas.") var limit = 100
    @Flag(help: "Print JSON Lines (one saga per line, with its history).") var json = false
    @OptionGroup var store: SagaStoreOption
    @OptionGroup var schemas: SchemaDirectoryOption

    func run() async throws {
        try await runReportingErrors {
            let statuses: [SagaStatus], sinceDate: Date?
            do throws(SagaFilterError) { statuses = try SagaFilter.states(states) } catch { throw CLIError.input("--state \(error)") }
            do throws(SagaFilterError) {
                sinceDate = try since.map { text throws(SagaFilterError) in try SagaFilter.time(text, now: Date()) }
            } catch { throw CLIError.input("--since \(error)") }
            let filter = SagaFilter(type: type, states: statuses, since: sinceDate, limit: limit)
            let reports = try await SagaQueries(store: try store.open()).list(filter)
            if json {
                let contracts = schemas.loadIfPresent()
                for report in reports { StandardStreams.writeLine(report.json(schemas: contracts).serialized) }
            } else {
                for line in Self.table(reports) { StandardStreams.writeLine(line) }
            }
        }
    }

    /// The table of `reports`.
    static func table(_ reports: [SagaReport]) -> [String] {
        TextTable.render(
            header: ["SAGA ID", "TYPE", "STATE", "STEP", "ATTEMPT", "STARTED", "UPDATED", "FAILURE"],
            rows: reports.map { report in
                [report.state.sagaID, report.state.sagaType, report.state.status.rawValue, report.currentStep,
                 String(report.state.attempt), SagaReport.time(report.state.createdAt), SagaReport.time(report.state.updatedAt),
                 report.state.failureReason ?? ""]
            })
    }
}
