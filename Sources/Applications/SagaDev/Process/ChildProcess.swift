import Foundation
import Synchronization

/// A child process started by `sagactl dev` or a test: the broker or one `saga-server` role.
/// Its standard output and error go to a log file; ``waitForExit()`` suspends (no thread
/// blocked, no polling) until the process has exited and been reaped.
///
/// ```swift
/// let child = try ChildProcess.launch(name: "broker", executable: tansu, arguments: ["broker"], logFile: log)
/// child.signal(SIGTERM)
/// let status = await child.waitForExit(timeout: .seconds(10))
/// ```
public final class ChildProcess: Sendable {
    /// A short name (the role, or `broker`) used in messages.
    public let name: String
    /// The process id.
    public let pid: Int32
    /// Where its output goes.
    public let logFile: URL
    private let exit: ExitState

    /// The exit status once the process has ended: its exit code, or 128 + the signal that ended it.
    public var exitStatus: Int32? { exit.status }

    /// Whether the process still runs.
    public var isRunning: Bool { exit.status == nil }

    private init(name: String, pid: Int32, logFile: URL, exit: ExitState) {
        self.name = name
        self.pid = pid
        self.logFile = logFile
        self.exit = exit
    }

    /// Starts `executable` with `arguments` and exactly `environment`, appending its standard
    /// output and error to `logFile` (created with its directory if missing; standard error to
    /// `errorFile` instead if given). The child gets its own process group, so a Ctrl-C in the
    /// terminal reaches it only through our shutdown.
    ///
    /// With `lifeline`, a guardian (`/bin/sh`) waits on a pipe only this process holds open: if
    /// this process dies without stopping the child (a crash, SIGKILL), the kernel closes the pipe
    /// and the guardian sends the child SIGTERM, then SIGKILL after `lifeline` — no orphan is left.
    ///
    /// - Throws: ``DevError/launchFailed(name:executable:reason:)`` if it cannot be started.
    public static func launch(
        name: String, executable: String, arguments: [String], environment: [String: String], logFile: URL,
        errorFile: URL? = nil, currentDirectory: URL? = nil, lifeline: Duration? = nil
    ) throws(DevError) -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let exit = ExitState()
        do {
            let log = try appending(to: logFile)
            let errors = try errorFile.map(appending(to:))
            process.standardOutput = log
            process.standardError = errors ?? log
            process.standardInput = FileHandle.nullDevice
            process.terminationHandler = { finished in
                let status = finished.terminationReason == .uncaughtSignal
                    ? 128 + finished.terminationStatus : finished.terminationStatus
                exit.finish(status)
                // The child is gone: its guardian must not signal a pid the system may reuse.
                if let guardian = exit.guardian { kill(guardian, SIGKILL) }
            }
            try process.run()
            if let lifeline { try startGuardian(for: process.processIdentifier, killAfter: lifeline, exit: exit) }
            // The child holds its own copies of the descriptors now.
            try log.close()
            try errors?.close()
        } catch {
            throw .launchFailed(name: name, executable: executable, reason: "\(error)")
        }
        return ChildProcess(name: name, pid: process.processIdentifier, logFile: logFile, exit: exit)
    }

    /// Starts the guardian of `pid` (see ``launch(name:executable:arguments:environment:logFile:errorFile:currentDirectory:lifeline:)``)
    /// and records it in `exit`; the write end of its pipe stays open in this process until exit.
    private static func startGuardian(for pid: Int32, killAfter: Duration, exit: ExitState) throws {
        let pipe = Pipe()
        let guardian = Process()
        guardian.executableURL = URL(fileURLWithPath: "/bin/sh")
        let seconds = max(1, killAfter.components.seconds)
        // After SIGTERM it checks once a second whether the child is gone (this runs only when we died).
        let script = #"read -r _; kill -TERM "$1" 2>/dev/null; i=0; "#
            + #"while kill -0 "$1" 2>/dev/null && [ "$i" -lt "$2" ]; do sleep 1; i=$((i+1)); done; kill -KILL "$1" 2>/dev/null"#
        guardian.arguments = ["-c", script, "saga-lifeline", String(pid), String(seconds)]
        guardian.standardInput = pipe
        guardian.standardOutput = FileHandle.nullDevice
        guardian.standardError = FileHandle.nullDevice
        try guardian.run()
        exit.lifeline = pipe.fileHandleForWriting
        exit.guardian = guardian.processIdentifier
        // The child may have exited before its guardian was recorded (the handler then missed it).
        if exit.status != nil { kill(guardian.processIdentifier, SIGKILL) }
    }

    /// A handle appending to `file`, created with its directory if missing.
    private static func appending(to file: URL) throws -> FileHandle {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: file.path) { try Data().write(to: file) }
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        return handle
    }

    /// Sends `signal` (e.g. `SIGTERM`, `SIGKILL`) unless the process has already exited.
    public func signal(_ signal: Int32) {
        guard isRunning else { return }
        _ = kill(pid, signal)
    }

    /// Waits until the process has exited and returns its ``exitStatus`` (`nil` if the waiting
    /// task is cancelled first).
    @discardableResult
    public func waitForExit() async -> Int32? { await exit.wait() }

    /// Waits at most `timeout` for the process to exit; `nil` if it still runs.
    public func waitForExit(timeout: Duration) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.exit.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? self.exit.status
        }
    }

    /// Sends `SIGTERM`, waits up to `timeout`, then sends `SIGKILL` and waits for the exit.
    /// Returns the exit status and whether the graceful stop was enough.
    @discardableResult
    public func terminate(timeout: Duration) async -> (status: Int32, graceful: Bool) {
        signal(SIGTERM)
        if let status = await waitForExit(timeout: timeout) { return (status, true) }
        signal(SIGKILL)
        return (await waitForExit() ?? 128 + SIGKILL, false)
    }

    /// The last `lines` lines of the log file (for error messages).
    public func logTail(lines: Int = 20) -> String {
        guard let data = FileManager.default.contents(atPath: logFile.path) else { return "" }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .suffix(lines).joined(separator: "\n")
    }
}

/// The exit status of a child, the tasks waiting for it and its guardian. The mutex guards all
/// of it; the termination handler (a Foundation thread) and waiting tasks meet here.
private final class ExitState: Sendable {
    private struct State {
        var status: Int32?
        var guardian: Int32?
        var lifeline: FileHandle?
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Int32?, Never>] = [:]
    }

    private let state = Mutex(State())

    var status: Int32? { state.withLock { $0.status } }

    /// The pid of the child's guardian, if it has one.
    var guardian: Int32? {
        get { state.withLock { $0.guardian } }
        set { state.withLock { $0.guardian = newValue } }
    }

    /// The write end of the guardian's pipe: held open (never written) while this process lives.
    var lifeline: FileHandle? {
        get { state.withLock { $0.lifeline } }
        set { state.withLock { $0.lifeline = newValue } }
    }

    func finish(_ status: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int32?, Never>] in
            state.status = status
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// The exit status once the process has exited; `nil` if the waiting task is cancelled first.
    func wait() async -> Int32? {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
                let immediate = state.withLock { state -> Int32?? in
                    if let status = state.status { return .some(status) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }
}
