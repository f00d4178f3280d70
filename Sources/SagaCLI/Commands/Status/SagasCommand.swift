import ArgumentParser
import Foundation
import SagaEngine

/// `sagactl sagas`.
struct SagasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sagas",
        abstract: "List sagas by type, state and start time, newest first.",
        discussion: "--since takes an ISO 8601 time (2026-11-21T06:00:00Z) or an age: 90s, 30m, 2h, 7d."
    )

    @Option(help: "Only sagas of this type (order, transfer, …).") var type: String?
    @Option(name: .customLong("state"), help: "Only sagas in this state (repeatable): \(SagaStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
    var states: [String] = []
    @Option(help: "Only sagas started at or after this time.") var since: String?
    @Option(help: "At most this many sagas.") var limit = 100
    @Flag(help: "Print JSON Lines (one saga per line, with its history).") var json = false
    @OptionGroup var store: SagaStoreOption
    @OptionGroup var schemas: SchemaDirectoryOption

    func run() async throws {
        try await runReportingErrors {
            let statuses = try states.map { text in
                guard let status = SagaStatus(rawValue: text) else {
                    throw CLIError.input("--state \(text): expected one of \(SagaStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            }
            let sinceDate = try since.map { try TimeArgument.parse($0, now: Date()) }
            let reports = try await SagaQueries(store: try store.open())
                .list(states: statuses, type: type, since: sinceDate, limit: limit)
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

/// Times on the command line: ISO 8601, or an age before now (`90s`, `30m`, `2h`, `7d`).
enum TimeArgument {
    static func parse(_ text: String, now: Date) throws -> Date {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last, let seconds = units[unit], let amount = Double(text.dropLast()), amount >= 0 {
            return now.addingTimeInterval(-amount * seconds)
        }
        for style in [Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle()] {
            if let date = try? style.parse(text) { return date }
        }
        throw CLIError.input("\(text): not a time (ISO 8601 like 2026-11-21T06:00:00Z) or an age (90s, 30m, 2h, 7d)")
    }
}
