import Foundation
import Kafka
import Logging

/// A local Tansu broker (Kafka-compatible, memory-only) started as a child process on
/// `127.0.0.1`, ready once it answers a Kafka metadata request.
///
/// ```swift
/// let broker = try await TansuBroker.start(executable: tansu, port: 0, logFile: dataDir.appendingPathComponent("broker.log"))
/// defer { Task { await broker.stop() } }
/// print(broker.bootstrapServers)   // 127.0.0.1:PORT
/// ```
public struct TansuBroker: Sendable {
    /// The broker process.
    public let process: ChildProcess
    /// The port it listens on.
    public let port: Int

    /// `host:port` for `KAFKA_BOOTSTRAP_SERVERS`.
    public var bootstrapServers: String { "127.0.0.1:\(port)" }

    /// `KAFKA_FETCH_WAIT_MAX_MS` (the consumers' `fetch.wait.max.ms`) for a `saga-server` on this
    /// broker. Tansu answers a fetch that finds nothing new only near its deadline, not when a
    /// message arrives as Kafka does (one hop measured at p50 3 ms with 10 ms, 16 ms with 100 ms,
    /// 115 ms with librdkafka's default 500 ms), so its clients use a short one; against Kafka
    /// keep the default. `scripts/broker fetch-wait` prints the same for the scripts.
    public static let fetchWaitMilliseconds = "10"

    /// Environment variables Tansu reads that must not leak into it from ours (its flags are given).
    static let scrubbedVariables: Set<String> = [
        "CLUSTER_ID", "LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "SCHEMA_REGISTRY",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]

    /// Starts `executable` on `port` (0 = a free port), logging to `logFile`, and waits until it
    /// answers a metadata request.
    ///
    /// - Throws: ``DevError/exitedEarly(name:status:logFile:logTail:)`` if Tansu exits while
    ///   starting (e.g. the port is taken), ``DevError/notReady(name:waited:lastProblem:logFile:)``
    ///   after `readyTimeout` (the process is stopped then).
    public static func start(
        executable: String, port requested: Int = 0, logFile: URL, readyTimeout: Duration = .seconds(30),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(DevError) -> TansuBroker {
        let port = requested == 0 ? try FreePort.find() : requested
        let url = "tcp://127.0.0.1:\(port)"
        let process = try ChildProcess.launch(
            name: "broker", executable: executable,
            arguments: ["broker", "--listener-url", url, "--advertised-listener-url", url],
            environment: environment.filter { !scrubbedVariables.contains($0.key) }, logFile: logFile, lifeline: .seconds(5)
        )
        let broker = TansuBroker(process: process, port: port)
        do {
            try await broker.waitUntilReady(timeout: readyTimeout)
        } catch {
            await broker.stop()
            throw error
        }
        return broker
    }

    /// Waits until the broker answers a metadata request.
    func waitUntilReady(timeout: Duration) async throws(DevError) {
        var quiet = Logger(label: "saga.dev.broker")
        quiet.logLevel = .critical
        let started = ContinuousClock.now
        var lastProblem = "no answer yet"
        while ContinuousClock.now - started < timeout {
            if Task.isCancelled { throw .cancelled(while: "waiting for the broker to answer") }
            if let status = process.exitStatus {
                throw .exitedEarly(name: "Tansu broker", status: status, logFile: process.logFile.path, logTail: process.logTail())
            }
            do {
                let configuration = KafkaConfiguration(bootstrapServers: [bootstrapServers], clientID: "sagactl-dev")
                _ = try await KafkaAdmin.withAdmin(configuration: configuration, logger: quiet) { try await $0.listTopics(timeout: .seconds(2)) }
                return
            } catch {
                lastProblem = "\(error)"
            }
            _ = await process.waitForExit(timeout: .milliseconds(100))
        }
        throw .notReady(name: "Tansu broker on \(bootstrapServers)", waited: timeout, lastProblem: lastProblem,
            logFile: process.logFile.path)
    }

    /// Stops the broker: SIGTERM, then SIGKILL after `timeout` (Tansu sometimes keeps running
    /// after SIGTERM once consumer groups were used; it is memory-only, so nothing is lost).
    /// Returns its exit status and whether SIGTERM was enough.
    @discardableResult
    public func stop(timeout: Duration = .seconds(5)) async -> (status: Int32, graceful: Bool) {
        await process.terminate(timeout: timeout)
    }
}
