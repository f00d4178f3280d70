import Foundation
import SagaDev
import SagaEngine
import SagaTestSupport
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

/// Runs a short command to completion on a thread of its own (never blocking the shared pool).
func runToCompletion(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                // The package directory: sagactl reads ./schemas.
                process.currentDirectoryURL = packageDirectory
                let output = Pipe(), error = Pipe()
                process.standardOutput = output
                process.standardError = error
                process.standardInput = FileHandle.nullDevice
                try process.run()
                let out = output.fileHandleForReading.readDataToEndOfFile()
                let err = error.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
            })
        }
    }
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
