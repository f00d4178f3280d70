import ArgumentParser
import Foundation
import SagaCore
import SagaSQLite
import SagaAvro

/// `sagactl status SAGA-ID`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a saga: type, state, current step, data and its step history.",
        discussion: """
            Asks the HTTP API (--url or SAGA_URL, with a token in SAGA_TOKEN: any role) or reads the orchestrator's             SQLite store (--store or SAGA_STORE). Exit status 1 when no saga has the id.
            """
    )

    @Argument(help: "The saga id.") var sagaID: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var api: APIOption
    @OptionGroup var store: SagaStoreOption
    @OptionGroup var schemas: SchemaDirectoryOption

    func run() async throws {
        try await runReportingErrors {
            if case .api(let client) = try SagaSource.choose(api: api, store: store) {
                let report = try await client.get("/sagas/" + sagaID)
                StandardStreams.writeLine(json ? report.prettySerialized : SagaReportJSON.text(report))
                return
            }
            let queries = SagaQueries(store: try store.open())
            if let removed = try await queries.tombstone(sagaID: sagaID) {
                StandardStreams.writeLine(json ? removed.json.prettySerialized : SagaReportJSON.text(removed.json))
                return
            }
            let report = try await queries.report(sagaID: sagaID)
            let contracts = schemas.loadIfPresent()
            StandardStreams.writeLine(json ? report.json(schemas: contracts).prettySerialized : report.text(schemas: contracts))
        }
    }
}

/// Reads sagas from a store for `status` and `sagas` (through the engine's ``SagaFilter`` queries).
struct SagaQueries: Sendable {
    let store: SQLiteSagaStore

    /// The saga `sagaID` with its history; a ``CLIError`` (exit 1) if there is none.
    func report(sagaID: String) async throws -> SagaReport {
        let report: SagaReport?
        do {
            report = try await store.report(sagaID: sagaID)
        } catch {
            throw CLIError.input("cannot read saga \(sagaID): \(error)")
        }
        guard let report else { throw CLIError.failed("no saga with id \(sagaID) in the store") }
        return report
    }

    /// What is kept of saga `sagaID` if the retention of finished sagas removed its details, else nil.
    func tombstone(sagaID: String) async throws -> SagaTombstone? {
        do {
            return try await store.tombstone(sagaID: sagaID)
        } catch {
            throw CLIError.input("cannot read saga \(sagaID): \(error)")
        }
    }

    /// The sagas `filter` selects, newest first, with their histories.
    func list(_ filter: SagaFilter) async throws -> [SagaReport] {
        do {
            return try await store.reports(matching: filter)
        } catch {
            throw CLIError.input("cannot list sagas: \(error)")
        }
    }
}

extension SchemaDirectoryOption {
    /// The schemas if the folder exists (saga data is then decoded), else nil (data shown as is).
    func loadIfPresent(environment: [String: String] = ProcessInfo.processInfo.environment) -> ContractSchemas? {
        let path = directory ?? environment["SAGA_SCHEMAS"] ?? "schemas"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try ContractSchemas.load(directory: path)
        } catch {
            StandardStreams.writeError("sagactl: warning: saga data shown undecoded: \(error)")
            return nil
        }
    }
}
