// saga-bench: sagas per second and start-to-end latency of a 4-step saga with trivial
// participants on a local broker, beside a same-run baseline (the same 8 sequential hops —
// 4 commands and 4 replies — as bare produce/consume ping-pong without the engine), and how
// CPU time splits between this process (orchestrator + participants) and the broker.
//
// Run with `scripts/bench-saga` (release build, private broker): `scripts/bench-saga --help` lists
// the options (--sagas, --in-flight).
import ArgumentParser
import Foundation
import SystemPackage
import Histogram
import Kafka
import Logging
import SagaCore
import SagaKafka
import SagaSQLite
import SagaAvro
import SagaTestSupport
import Synchronization

/// The benchmark's options.
struct SagaBenchOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga-bench", abstract: "Sagas per second and latency of a 4-step saga beside bare produce/consume hops.")

    @Option(help: "Sagas to run.") var sagas = 2_000
    @Option(help: "Sagas unfinished at a time.") var inFlight = 200
    @Option(help: "Instead: start this many sagas that no participant answers and report the orchestrator's memory.")
    var stalled = 0
    @Option(parsing: .upToNextOption, help: """
        Instead: for each size, fresh stores filled to that many finished sagas, then --sagas more run through them \
        (the CPU per saga should not grow with the store).
        """)
    var grown: [Int] = []
    @Option(help: "Instead: purge a SQLite store holding this many expired rows of each kind while a writer commits (the housekeeping's cost).")
    var purge = 0

    func validate() throws {
        guard sagas > 0 else { throw ValidationError("--sagas must be more than 0, got \(sagas)") }
        guard inFlight > 0 else { throw ValidationError("--in-flight must be more than 0, got \(inFlight)") }
        guard stalled >= 0 else { throw ValidationError("--stalled must be 0 or more, got \(stalled)") }
        guard purge >= 0 else { throw ValidationError("--purge must be 0 or more, got \(purge)") }
        guard grown.allSatisfy({ $0 > 0 }) else { throw ValidationError("--grown sizes must be more than 0, got \(grown)") }
    }
}

let options = SagaBenchOptions.parseOrExit()
let sagaCount = options.sagas
let inFlight = options.inFlight
guard ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] != nil else {
    _ = try? FileDescriptor.standardError.writeAll("saga-bench: KAFKA_BOOTSTRAP_SERVERS is not set (use scripts/bench-saga)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(64)
}
let brokerPID = ProcessInfo.processInfo.environment["SAGA_BENCH_BROKER_PID"].flatMap { Int32($0) }
let logger: Logger = {
    var logger = Logger(label: "saga.bench")
    logger.logLevel = .error
    return logger
}()
let kafka: KafkaConfiguration
do {
    // KAFKA_BOOTSTRAP_SERVERS and KAFKA_FETCH_WAIT_MAX_MS as scripts/bench-saga exports them, checked
    // as saga-server checks them.
    var configuration = try KafkaConfiguration.fromEnvironment(ProcessInfo.processInfo.environment, clientID: nil)
    configuration.linger = .milliseconds(1)
    configuration.sessionTimeout = .milliseconds(6000)
    configuration.heartbeatInterval = .milliseconds(500)
    kafka = configuration
} catch {
    _ = try? FileDescriptor.standardError.writeAll("saga-bench: \(error)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(64)
}


/// Start and end times per saga, and the latency histogram (microseconds).
final class Recorder: Sendable {
    private struct State {
        var started: [String: ContinuousClock.Instant] = [:]
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var finished = 0
        var failed = 0
    }
    private let state = Mutex(State())

    func start(_ id: String) { state.withLock { $0.started[id] = .now } }
    func end(_ id: String, ok: Bool) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard let start = state.started.removeValue(forKey: id) else { return }
            let micros = (now - start).components
            state.histogram.record(UInt64(max(0, micros.seconds * 1_000_000 + micros.attoseconds / 1_000_000_000_000)))
            state.finished += 1
            if !ok { state.failed += 1 }
        }
    }
    var finished: Int { state.withLock { $0.finished } }
    /// Forgets what was recorded (sagas still running stay started).
    func reset() {
        state.withLock { state in
            state.histogram.reset()
            state.finished = 0
            state.failed = 0
        }
    }
    var failed: Int { state.withLock { $0.failed } }
    func percentile(_ p: Double) -> Double { state.withLock { Double($0.histogram.valueAtPercentile(p)) / 1000 } }
}

func createTopics(_ names: [String], kafka: KafkaConfiguration, logger: Logger) async throws {
    let topics = names.map { KafkaTopicSpecification(name: $0, partitions: 3) }
    try await KafkaAdmin.withAdmin(configuration: kafka, logger: logger) { try await $0.createTopics(topics) }
}

/// The test order saga's topics under `prefix`, and their dead-letter topics.
func createSagaTopics(prefix: String, kafka: KafkaConfiguration, logger: Logger) async throws {
    let topics = ["inventory.commands", "payments.commands", "shipping.commands", Fixtures.replyTopic, "saga.events"].map { prefix + $0 }
    try await createTopics(topics + topics.map(DeadLetterRecord.topic(for:)), kafka: kafka, logger: logger)
}

/// The baseline: 8 sequential hops of bare produce → consume, per round trip, `rounds` times.
func baseline(rounds: Int, kafka: KafkaConfiguration, logger: Logger) async throws -> (p50: Double, p99: Double) {
    let topic = "bench-ping-\(UUID().uuidString.prefix(8).lowercased())"
    try await createTopics([topic], kafka: kafka, logger: logger)
    let producer = try KafkaProducer(configuration: kafka, logger: logger)
    var config = kafka
    config.groupID = "bench-ping-\(UUID().uuidString.prefix(8))"
    let consumer = try KafkaConsumer(configuration: config, logger: logger)
    try consumer.subscribe(to: [topic])
    var iterator = consumer.messages.makeAsyncIterator()
    // Warm up: wait until the consumer has its partitions and sees a message.
    _ = try await producer.send(KafkaMessage(topic: topic, key: "warm", value: "warm"))
    _ = try await iterator.next()
    var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    for round in 0..<rounds {
        let start = ContinuousClock.now
        for hop in 0..<8 {
            _ = try await producer.send(KafkaMessage(topic: topic, key: "k", value: "\(round)-\(hop)"))
            guard let message = try await iterator.next() else { throw CancellationError() }
            try consumer.markProcessed(message)
        }
        let c = (ContinuousClock.now - start).components
        histogram.record(UInt64(c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000))
    }
    await consumer.close()
    await producer.shutdown()
    return (Double(histogram.valueAtPercentile(50)) / 1000, Double(histogram.valueAtPercentile(99)) / 1000)
}

/// Runs one of the other modes and exits: 0 when it ends, 1 with the error on standard error when it fails.
func runMode(_ body: () async throws -> Void) async -> Never {
    do {
        try await body()
        exit(0)
    } catch {
        _ = try? FileDescriptor.standardError.writeAll("saga-bench: \(error)\n".utf8)  // a failed report of a failure has nowhere to go
        exit(1)
    }
}
if options.stalled > 0 {
    await runMode { try await runStalled(count: options.stalled, kafka: kafka, logger: logger) }
}
if options.purge > 0 {
    await runMode { try await runPurge(rows: options.purge) }
}
if !options.grown.isEmpty {
    await runMode { try await runGrown(sizes: options.grown, sagas: sagaCount, inFlight: inFlight, kafka: kafka, brokerPID: brokerPID, logger: logger) }
}

let directory = NSTemporaryDirectory() + "saga-bench-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let prefix = "bench\(UUID().uuidString.prefix(6).lowercased())."
try await createSagaTopics(prefix: prefix, kafka: kafka, logger: logger)

print("saga-bench: \(sagaCount) sagas of 4 steps, up to \(inFlight) in flight, librdkafka \(LibrdkafkaVersion.string)")
let base = try await baseline(rounds: 200, kafka: kafka, logger: logger)
print(String(format: "baseline  8 sequential produce→consume hops (no engine): p50 %.2f ms, p99 %.2f ms", base.p50, base.p99))

let engine = try BenchEngine(directory: directory, prefix: prefix, kafka: kafka, brokerPID: brokerPID, logger: logger)
try await engine.warmUp()
let run = try await engine.drive(count: sagaCount, inFlight: inFlight)
await engine.stop()
let recorder = engine.recorder

print(String(format: "saga      %d sagas in %.2f s: %.0f sagas/s (%d failed)", sagaCount, run.seconds, Double(sagaCount) / run.seconds, recorder.failed))
print(String(format: "saga      start→completed latency: p50 %.2f ms, p99 %.2f ms", recorder.percentile(50), recorder.percentile(99)))
print(String(format: "ratio     saga p50 / baseline p50 = %.2f", recorder.percentile(50) / base.p50))
if let cpuSelf = run.cpuSelf {
    let broker = run.cpuBroker.map { String(format: "%.2f s", $0) } ?? "unknown (set SAGA_BENCH_BROKER_PID)"
    print(String(format: "cpu       engine process (orchestrator + participants): %.2f s; broker: %@; wall %.2f s", cpuSelf, broker, run.seconds))
}
