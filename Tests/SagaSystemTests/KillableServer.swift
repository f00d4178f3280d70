import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SagaTestSupport
import Synchronization

/// A `saga-server` child process that a test may SIGKILL at any moment and start again, its
/// output appended to a log file (it outlives the process, so a failure can show every run's log).
///
/// The child dies with the test: it is started through `setpriv --pdeathsig KILL` from a thread
/// of its own that lives until the child has exited, so if the test process dies (a crash, the
/// hang guard's kill) the kernel kills the server too, and no orphan keeps consuming from the
/// suite's broker. (`PR_SET_PDEATHSIG` fires when the *thread* that started the child ends, which
/// is why it is not started from a pooled thread.) Without `setpriv` the child is started directly.
final class KillableServer: Sendable {
    /// The process id.
    let pid: Int32
    private let exit: ExitStatus
    /// Lets the thread that started the child end (after the child has exited).
    private let release: DispatchSemaphore

    private init(pid: Int32, exit: ExitStatus, release: DispatchSemaphore) {
        self.pid = pid
        self.exit = exit
        self.release = release
    }

    /// The `setpriv` that ties the child's life to ours, if the system has one.
    private static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Starts `saga-server` with `environment` (added to `PATH` only), appending its output to `log`.
    static func start(environment: [String: String], log: URL) async throws -> KillableServer {
        let executable = ServerProcess.executable
        if !FileManager.default.fileExists(atPath: log.path) {
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: log.path])
            }
        }
        let output = try FileHandle(forWritingTo: log)
        try output.seekToEnd()
        let process = Process()
        if let setpriv {
            process.executableURL = URL(fileURLWithPath: setpriv)
            process.arguments = ["--pdeathsig", "KILL", "--", executable.path]
        } else {
            process.executableURL = executable
        }
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let exit = ExitStatus()
        process.terminationHandler = { finished in exit.set(finished.terminationStatus) }
        let release = DispatchSemaphore(value: 0)
        let pid: Int32 = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                continuation.resume(returning: process.processIdentifier)
                release.wait()
            }
            thread.start()
        }
        try output.close()
        return KillableServer(pid: pid, exit: exit, release: release)
    }

    /// The exit status (or terminating signal), once the process has exited.
    var exitStatus: Int32? { exit.value }

    /// SIGKILLs the process and waits until it is gone.
    func kill() async throws {
        if exitStatus == nil { _ = Glibc.kill(pid, SIGKILL) }
        try await waitForExit(within: 30, after: "SIGKILL")
    }

    /// Sends SIGTERM and returns the exit status once the process has exited.
    func terminate(within seconds: Double) async throws -> Int32 {
        _ = Glibc.kill(pid, SIGTERM)
        try await waitForExit(within: seconds, after: "SIGTERM")
        guard let status = exitStatus else { throw TimedOut(what: "saga-server \(pid)'s exit status") }
        return status
    }

    private func waitForExit(within seconds: Double, after signal: String) async throws {
        try await eventually("saga-server \(pid) to exit after \(signal)", within: seconds) { exitStatus != nil }
        release.signal()
    }

    deinit {
        // A test that failed half-way leaves nothing running.
        if exitStatus == nil { _ = Glibc.kill(pid, SIGKILL) }
        release.signal()
    }
}

/// A process's exit status, set by its termination handler.
private final class ExitStatus: Sendable {
    private let status = Mutex<Int32?>(nil)
    func set(_ value: Int32) { status.withLock { $0 = value } }
    var value: Int32? { status.withLock { $0 } }
}
