import ArgumentParser
import Foundation
import SagaCore
import SagaSQLite

/// `--store PATH` (env `SAGA_STORE`): the orchestrator's SQLite store.
struct SagaStoreOption: ParsableArguments {
    @Option(name: .customLong("store"), help: "The orchestrator's SQLite store file (default: env SAGA_STORE).")
    var path: String?

    /// Opens the store; a missing file is an error (it is never created here).
    func open(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SQLiteSagaStore {
        guard let path = path ?? environment["SAGA_STORE"], !path.isEmpty else {
            throw CLIError.input("no saga store: give --store PATH or set SAGA_STORE")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError.input("\(path): no such saga store") }
        do {
            return try SQLiteSagaStore(path: path)
        } catch {
            throw CLIError.input("cannot open the saga store \(path): \(error)")
        }
    }
}
