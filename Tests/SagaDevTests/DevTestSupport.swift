import Foundation
import SagaDev
import SagaCore
import SagaTestSupport
import Subprocess
import SystemPackage
import Testing

/// A directory under the system's temporary directory, removed when the value is released.
final class TestDirectory: Sendable {
    let url: URL

    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The executables built beside the test bundle.
enum BuiltExecutables {
    static var locator: ExecutableLocator { ExecutableLocator() }

    static func sagactl() throws -> String {
        var directory = ExecutableLocator.runningExecutable.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("sagactl").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw TimedOut(what: "the sagactl executable next to the test bundle")
    }

    static func sagaServer() throws -> String { try locator.sagaServer(explicit: nil) }
}

/// The package's root directory.
let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Runs a short command to completion in the package directory (sagactl reads ./schemas).
/// swift-subprocess collects standard output and error concurrently with non-blocking reads: no
/// thread blocks, a full pipe cannot stall the child, and signals cannot break the reads.
func runToCompletion(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws
    -> (status: Int32, output: String, error: String)
{
    let limit = 64 << 20
    let added = Dictionary(uniqueKeysWithValues: environment.compactMap { name, value in
        Environment.Key(rawValue: name).map { ($0, Optional(value)) }
    })
    let result = try await Subprocess.run(
        .path(FilePath(executable)), arguments: Arguments(arguments), environment: .inherit.updating(added),
        workingDirectory: FilePath(packageDirectory.path),
        input: .none, output: .string(limit: limit), error: .string(limit: limit)
    )
    let status: Int32 = switch result.terminationStatus {
    case .exited(let code): code
    case .signaled(let signal): 128 + signal
    }
    return (status, result.standardOutput, result.standardError)
}

/// Starts the built sagactl with `arguments`, its standard output and error in files of `directory`.
func launchSagactl(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
    in directory: TestDirectory) throws -> (process: ChildProcess, stdout: URL, stderr: URL)
{
    let stdout = directory.file("stdout.txt"), stderr = directory.file("stderr.txt")
    let process = try ChildProcess.launch(name: "sagactl", executable: try BuiltExecutables.sagactl(), arguments: arguments,
        environment: environment, logFile: stdout, errorFile: stderr, currentDirectory: packageDirectory)
    return (process, stdout, stderr)
}

/// Runs `body`; if it throws, stops `process` gracefully (SIGTERM, so sagactl stops its broker and
/// roles; SIGKILL after a minute) before rethrowing, so no child outlives a failed test.
func stoppingOnError(_ process: ChildProcess, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        await process.terminate(timeout: .seconds(60))
        throw error
    }
}

/// The pids of the running children of `pid` (from /proc).
func childProcesses(of pid: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { entry -> Int32? in
        guard let candidate = Int32(entry),
            let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "comm)": state, ppid, …
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1, Int32(fields[1]) == pid else { return nil }
        return candidate
    }
}

/// Whether a process with this pid exists (a zombie counts as gone).
func processExists(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
        return false
    }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state != "Z"
}
