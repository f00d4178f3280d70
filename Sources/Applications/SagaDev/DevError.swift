import Foundation

/// A failure of the local development tooling (`sagactl dev`, ``LocalTopology``): says what
/// failed and what to do about it.
public enum DevError: Error, Hashable, CustomStringConvertible {
    /// No Tansu broker binary was found where it was looked for.
    case brokerNotFound(searched: [String])
    /// A `--tansu`/`SAGA_TANSU` path that is not an executable file.
    case notExecutable(path: String, origin: String)
    /// No `saga-server` executable was found.
    case serverNotFound(searched: [String])
    /// A child process could not be started.
    case launchFailed(name: String, executable: String, reason: String)
    /// A child process exited while it was being waited for.
    case exitedEarly(name: String, status: Int32, logFile: String, logTail: String)
    /// Something did not become ready in time.
    case notReady(name: String, waited: Duration, lastProblem: String, logFile: String?)
    /// No free TCP port could be found.
    case noFreePort(reason: String)
    /// A fixed port is in use.
    case portInUse(port: Int, purpose: String)
    /// A role the topology does not know or does not run.
    case unknownRole(String)
    /// The waiting task was cancelled (e.g. Ctrl-C during start-up).
    case cancelled(while: String)

    /// The message printed to the user.
    public var description: String {
        switch self {
        case .brokerNotFound(let searched):
            return "no Tansu broker found (looked at: \(searched.joined(separator: ", "))); run scripts/setup, "
                + "pass --tansu PATH or set SAGA_TANSU, or pass --bootstrap-servers to use a running broker"
        case .notExecutable(let path, let origin):
            return "\(origin) names \(path), which is not an executable file"
        case .serverNotFound(let searched):
            return "no saga-server executable found (looked at: \(searched.joined(separator: ", "))); "
                + "build it (swift build --product saga-server) or pass --server PATH"
        case .launchFailed(let name, let executable, let reason):
            return "could not start \(name) (\(executable)): \(reason)"
        case .exitedEarly(let name, let status, let logFile, let tail):
            return "\(name) exited with status \(status) while starting (log: \(logFile))" + (tail.isEmpty ? "" : ":\n\(tail)")
        case .notReady(let name, let waited, let problem, let logFile):
            return "\(name) was not ready after \(waited): \(problem)" + (logFile.map { " (log: \($0))" } ?? "")
        case .noFreePort(let reason):
            return "no free TCP port on 127.0.0.1: \(reason)"
        case .portInUse(let port, let purpose):
            return "port \(port) on 127.0.0.1 (\(purpose)) is in use; pass another port, or 0 for a free one"
        case .unknownRole(let role):
            return "the topology does not run role \(role)"
        case .cancelled(let what):
            return "cancelled while \(what)"
        }
    }
}
