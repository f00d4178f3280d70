import ArgumentParser
import Foundation
import SagaEngine

/// `sagactl status SAGA-ID`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a saga: type, state, current step, data and its step history.",
        discussion: "Reads the orchestrator's SQLite store. Exit status 1 when no saga has the id."
    )

    @Argument(help: "The saga id.") var sagaID: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var store: SagaStoreOption
    @OptionGroup var schemas: SchemaDirectoryOption

    func run() async throws {
        try await runReportingErrors {
            let report = try await SagaQueries(store: try store.open()).report(sagaID: sagaID)
            let contracts = schemas.loadIfPresent()
            StandardStreams.writeLine(json ? report.json(schemas: contracts).prettySerialized : report.text(schemas: contracts))
        }
    }
}

/// Reads sagas from a store for `status` and `sagas`.
struct SagaQueries: Sendable {
    let store: any SagaStore

    /// The saga `sagaID` with its history; a ``CLIError`` (exit 1) if there is none.
    func report(sagaID: String) async throws -> SagaReport {
        let state: SagaState?
        let history: [StepAttemptRecord]
        do {
            state = try await store.load(sagaID: sagaID)
            history = try await store.history(sagaID: sagaID)
        } catch {
            throw CLIError.input("cannot read saga \(sagaID): \(error)")
        }
        guard let state else { throw CLIError.failed("no saga with id \(sagaID) in the store") }
        return SagaReport(state: state, history: history)
    }

    /// Sagas of the given states (all when empty), of `type` if given, created at or after `since`,
    /// newest first, at most `limit`.
    func list(states: [SagaStatus], type: String?, since: Date?, limit: Int) async throws -> [SagaReport] {
        var found: [SagaState] = []
        do {
            for status in states.isEmpty ? SagaStatus.allCases : states {
                // The store lists by status only; type and time are filtered here, so read generously.
                found += try await store.sagas(status: status, limit: Int.max)
            }
        } catch {
            throw CLIError.input("cannot list sagas: \(error)")
        }
        let selected = found
            .filter { type == nil || $0.sagaType == type }
            .filter { state in since.map { state.createdAt >= $0 } ?? true }
            .sorted { ($0.createdAt, $0.sagaID) > ($1.createdAt, $1.sagaID) }
            .prefix(limit)
        var reports: [SagaReport] = []
        for state in selected {
            do {
                reports.append(SagaReport(state: state, history: try await store.history(sagaID: state.sagaID)))
            } catch {
                throw CLIError.input("cannot read the history of saga \(state.sagaID): \(error)")
            }
        }
        return reports
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
