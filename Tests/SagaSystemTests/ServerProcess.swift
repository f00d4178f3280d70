import Foundation
import SagaDev
import SagaTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `saga-server` child process (the executable built beside the test bundle), its output
/// collected, its HTTP port read from its `saga-server started, listening on HOST:PORT` log line.
///
/// Started as a SagaDev ``ChildProcess``: its standard output and error go to a temporary file
/// (not a pipe), which ``text`` reads, so no thread blocks on a pipe read that a signal could
/// interrupt. The file is removed when this value is released.
final class ServerProcess: Sendable {
    let child: ChildProcess
    let name: String

    /// The built executable.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("saga-server")
    }

    /// Starts `saga-server arguments` with `environment` added to a clean environment (PATH only).
    init(_ name: String, arguments: [String] = [], environment: [String: String]) throws {
        self.name = name
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env.merge(environment) { _, new in new }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("saga-server-\(UUID().uuidString).log")
        child = try ChildProcess.launch(name: name, executable: Self.executable.path, arguments: arguments, environment: env, logFile: log)
    }

    deinit { try? FileManager.default.removeItem(at: child.logFile) }

    /// Everything the process wrote so far.
    var text: String {
        String(decoding: FileManager.default.contents(atPath: child.logFile.path) ?? Data(), as: UTF8.self)
    }

    /// The exit status, once it exited (128 + the signal if a signal ended it).
    var exitStatus: Int32? { child.exitStatus }

    /// Waits for the startup line (`saga-server started, listening on HOST:PORT`) and returns the port.
    func port(within seconds: Double = 120) async throws -> Int {
        var port: Int?
        try await eventually("\(name) to log its HTTP port; output:\n\(text)", within: seconds) {
            if let status = exitStatus { throw Exited(name: name, status: status, output: text) }
            port = Self.listeningPort(in: text)
            return port != nil
        }
        return try #require(port)
    }

    /// The port of the first complete startup line in `text`. Only that line: Hummingbird logs
    /// its own `listening on HOST:PORT` just before, so a test that waited for any such line
    /// could look for the startup line before it was written. The port must be followed by
    /// the rest of the line, so a line caught while being written never yields a cut port.
    static func listeningPort(in text: String) -> Int? {
        let pattern = #"saga-server started, listening on [^\s:]+:\d+[^\d]"#
        guard let range = text.range(of: pattern, options: .regularExpression) else { return nil }
        return Int(text[range].dropLast().split(separator: ":").last ?? "")
    }

    /// Sends SIGTERM and waits for the exit status.
    func terminate(within seconds: Double) async throws -> Int32 {
        child.signal(SIGTERM)
        try await eventually("\(name) to exit after SIGTERM; output:\n\(text)", within: seconds) { exitStatus != nil }
        return try #require(exitStatus)
    }

    /// Kills the process if it still runs (cleanup after a failed test).
    func killIfRunning() {
        child.signal(SIGKILL)
    }

    /// The process ended while the test waited for it to start.
    struct Exited: Error, CustomStringConvertible {
        var name: String
        var status: Int32
        var output: String
        var description: String { "\(name) exited with status \(status); output:\n\(output)" }
    }
}

/// GET `http://127.0.0.1:port/path` with `token` as the bearer token (the viewer's unless said): the status code and body.
func httpGet(port: Int, _ path: String, token: String? = SystemTokens.viewer.token) async throws -> (status: Int, body: String) {
    var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
    if let token { request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization") }
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = try #require(response as? HTTPURLResponse).statusCode
    return (status, String(decoding: data, as: UTF8.self))
}
