import Foundation
import SagaSystem
import SagaTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One replica of a role in a multi-process test: a `saga-server` that the test may SIGKILL and
/// start again. Every incarnation appends to the same log file; what the current one wrote
/// starts at ``incarnationStart``.
struct Replica {
    /// A name for reports: `orchestrator-1`.
    let name: String
    let role: Role
    let environment: [String: String]
    let log: URL
    private(set) var server: KillableServer
    /// Where the current incarnation's output begins in ``log`` (bytes).
    private(set) var incarnationStart: Int
    /// How many times it was started.
    private(set) var starts = 1

    /// Starts `saga-server` with `environment`, its output appended to `log`.
    static func start(name: String, role: Role, environment: [String: String], log: URL) async throws -> Replica {
        let offset = Self.size(of: log)
        let server = try await KillableServer.start(environment: environment, log: log)
        return Replica(name: name, role: role, environment: environment, log: log, server: server, incarnationStart: offset)
    }

    private static func size(of url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// What the current incarnation wrote so far.
    var output: String {
        let data = FileManager.default.contents(atPath: log.path) ?? Data()
        return String(decoding: data.dropFirst(incarnationStart), as: UTF8.self)
    }

    /// The current incarnation's HTTP port, once it logged it.
    func port(within seconds: Double = 120) async throws -> Int {
        var port: Int?
        try await eventually("\(name) to log its HTTP port (log: \(log.path))", within: seconds) {
            if let status = server.exitStatus { throw ServerProcess.Exited(name: name, status: status, output: output) }
            port = ServerProcess.listeningPort(in: output)
            return port != nil
        }
        return try #require(port)
    }

    /// The partitions the current incarnation's consumer holds, by replaying its
    /// `Kafka consumer assigned/revoked/lost` lines (topic partitions written `topic[n]`).
    func assignment(prefix: String) -> Set<String> {
        var held: Set<String> = []
        for line in output.split(separator: "\n") {
            guard let range = line.range(of: #"Kafka consumer (assigned|revoked|lost) "#, options: .regularExpression) else { continue }
            let partitions = line[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "," })
                .filter { $0.hasPrefix(prefix) && $0.hasSuffix("]") }.map(String.init)
            if line[range].contains("assigned") { held.formUnion(partitions) } else { held.subtract(partitions) }
        }
        return held
    }

    /// Waits until the current incarnation holds some partitions. A consumer killed before its
    /// group formed would stay that group's leader on Tansu 0.6.0 and block it (see
    /// ``SagaServerProcessTests/Deployment/waitForAssignments(of:)``), so no kill comes before this.
    func waitUntilAssigned(prefix: String, within seconds: Double = 120) async throws {
        try await eventually("\(name) to be assigned partitions (log: \(log.path))", within: seconds) {
            if let status = server.exitStatus { throw ServerProcess.Exited(name: name, status: status, output: output) }
            return !assignment(prefix: prefix).isEmpty
        }
    }

    /// SIGKILLs the process and waits until it is gone.
    func kill() async throws { try await server.kill() }

    /// Starts a new incarnation with the same environment and log.
    mutating func restart() async throws {
        incarnationStart = Self.size(of: log)
        server = try await KillableServer.start(environment: environment, log: log)
        starts += 1
    }

    /// The sum of the counter `metric` (every label set) on the current incarnation's `/metrics`.
    func counter(_ metric: String) async throws -> Int {
        let body = try await httpGet(port: try await port(), "/metrics", token: nil).body
        return body.split(separator: "\n").filter { $0.hasPrefix(metric + "{") || $0.hasPrefix(metric + " ") }
            .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0) { $0 + Int($1) }
    }
}

/// POSTs `body` (JSON) to `http://127.0.0.1:port/path` with the producer's token and `headers`:
/// the status code and the body.
func httpPost(port: Int, _ path: String, json body: [String: Any], headers: [String: String] = [:]) async throws
    -> (status: Int, body: [String: Any])
{
    var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
    request.httpMethod = "POST"
    request.httpBody = try JSONSerialization.data(withJSONObject: body)
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.setValue("Bearer " + SystemTokens.producer.token, forHTTPHeaderField: "Authorization")
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = try #require(response as? HTTPURLResponse).statusCode
    return (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
}
