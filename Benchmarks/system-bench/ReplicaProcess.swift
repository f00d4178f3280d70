import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `saga-server` as its own process: a second orchestrator replica (`--role orchestrator`) on
/// the same PostgreSQL schema, topics and consumer group as the benchmark's in-process
/// orchestrator, so the group splits the orchestrator topics' partitions between the two; or the
/// whole system (`--role all`) for the run that kills it once.
///
/// `@unchecked Sendable`: every stored property is a constant, and Foundation's `Process` may be
/// asked whether it runs, and signalled, from any thread.
final class ReplicaProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let logFile: String

    /// Starts `server` with `environment` (plus the role, port and quiet logs); its output goes to `logFile`.
    /// Its pid is appended to `pidFile` (if given) so the script can stop it however the benchmark ends.
    init(
        server: String, environment: [String: String], port: Int, logFile: String, pidFile: String?, role: String = "orchestrator"
    ) throws {
        self.port = port
        self.logFile = logFile
        if !FileManager.default.fileExists(atPath: logFile) { FileManager.default.createFile(atPath: logFile, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logFile) else {
            throw BenchError("cannot create the replica's log \(logFile)")
        }
        try log.seekToEnd()
        process.executableURL = URL(fileURLWithPath: server)
        process.environment = environment.merging([
            "SAGA_ROLE": role, "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": String(port), "SAGA_LOG_LEVEL": "error",
            "SAGA_AUTH_DISABLED": "true",
        ]) { $1 }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        if let pidFile {
            let line = Array("\(process.processIdentifier)\n".utf8)
            guard let handle = FileHandle(forWritingAtPath: pidFile) ?? (FileManager.default.createFile(atPath: pidFile, contents: nil)
                ? FileHandle(forWritingAtPath: pidFile) : nil)
            else { throw BenchError("cannot write \(pidFile)") }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
            try handle.close()
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until `/readyz` answers 200 (its store, and the broker, answer), for at most `seconds`.
    func waitUntilReady(seconds: Double = 90) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchError("the orchestrator replica exited with status \(process.terminationStatus) (log: \(logFile))") }
            if (try? await get("/readyz").status) == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchError("the orchestrator replica was not ready after \(Int(seconds)) s (log: \(logFile))")
    }

    /// The sagas this replica has ended since it started (`saga_ended_total` of its `/metrics`).
    func sagasEnded() async throws -> Int {
        let (status, body) = try await get("/metrics")
        guard status == 200 else { throw BenchError("the replica's /metrics answered \(status)") }
        return body.split(separator: "\n").filter { $0.hasPrefix("saga_ended_total") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
    }

    /// Stops the replica gracefully (SIGTERM) and waits for it; its exit status.
    @discardableResult
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        await exited()
        return process.terminationStatus
    }

    /// Kills the process at once (SIGKILL: no shutdown, no flush) and waits until it is gone.
    func kill() async {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
        await exited()
    }

    private func exited() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
    }

    private func get(_ path: String) async throws -> (status: Int, body: String) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw BenchError("bad replica URL") }
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
