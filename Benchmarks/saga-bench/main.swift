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

    func validate() throws {
        guard sagas > 0 else { throw ValidationError("--sagas must be more than 0, got \(sagas)") }
        guard inFlight > 0 else { throw ValidationError("--in-flight must be more than 0, got \(inFlight)") }
        guard stalled >= 0 else { throw ValidationError("--stalled must be 0 or more, got \(stalled)") }
    }
}

let options = SagaBenchOptions.parseOrExit()
let sagaCount = options.sagas
let inFlight = options.inFlight
guard let servers = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] else {
    _ = try? FileDescriptor.standardError.writeAll("saga-bench: KAFKA_BOOTSTRAP_SERVERS is not set (use scripts/bench-saga)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(64)
}
let brokerPID = ProcessInfo.processInfo.environment["SAGA_BENCH_BROKER_PID"].flatMap { Int32($0) }
let logger: Logger = {
    var logger = Logger(label: "saga.bench")
    logger.logLevel = .error
    return logger
}()
let kafka: KafkaConfiguration = {
    var kafka = KafkaConfiguration(bootstrapServers: servers.split(separator: ",").map(String.init))
    kafka.linger = .milliseconds(1)
    kafka.sessionTimeout = .milliseconds(6000)
    kafka.heartbeatInterval = .milliseconds(500)
    return kafka
}()


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
    var failed: Int { state.withLock { $0.failed } }
    func percentile(_ p: Double) -> Double { state.withLock { Double($0.histogram.valueAtPercentile(p)) / 1000 } }
}

func createTopics(_ names: [String], kafka: KafkaConfiguration, logger: Logger) async throws {
    let admin = try KafkaAdmin(configuration: kafka, logger: logger)
    try await admin.createTopics(names.map { KafkaTopicSpecification(name: $0, partitions: 3) })
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
    // The same fetch bound as the engine's consumers (see KafkaServiceRunner.defaultFetchWaitMilliseconds).
    config.properties["fetch.wait.max.ms"] = "10"
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

if options.stalled > 0 {
    try await runStalled(count: options.stalled, kafka: kafka, logger: logger)
    exit(0)
}

let directory = NSTemporaryDirectory() + "saga-bench-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let prefix = "bench\(UUID().uuidString.prefix(6).lowercased())."
try await createSagaTopics(prefix: prefix, kafka: kafka, logger: logger)

print("saga-bench: \(sagaCount) sagas of 4 steps, up to \(inFlight) in flight, librdkafka \(LibrdkafkaVersion.string)")
let base = try await baseline(rounds: 200, kafka: kafka, logger: logger)
print(String(format: "baseline  8 sequential produce→consume hops (no engine): p50 %.2f ms, p99 %.2f ms", base.p50, base.p99))

let recorder = Recorder()
let (completions, completion) = AsyncStream<Void>.makeStream()
let orchestratorStore = try SQLiteSagaStore(path: directory + "/orchestrator.sqlite")
let participantStore = try SQLiteSagaStore(path: directory + "/participants.sqlite")
try participantStore.pool.write { db in try TestParticipants.migrate(db) }
let orchestrator = SagaOrchestrator(
    registry: try SagaRegistry(definitions: [Fixtures.orderSaga(prefix: prefix, timeout: .seconds(60))]), store: orchestratorStore,
    lifecycleTopic: prefix + "saga.events", lifecycleEncoder: JSONLifecycleEncoder(),
    observer: { state in
        if state.status.isTerminal {
            recorder.end(state.sagaID, ok: state.status == .completed)
            completion.yield()
        }
    }
)
let services = Task { [kafka, logger] in
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await SagaOrchestratorService(orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator", logger: logger).run()
        }
        group.addTask {
            try await SagaParticipantService(
                participant: SagaParticipant(store: participantStore, consumerName: "bench-participants", handler: TestParticipants.handle),
                kafka: kafka, topics: ["inventory.commands", "payments.commands", "shipping.commands"].map { prefix + $0 },
                groupID: prefix + "participants", logger: logger
            ).run()
        }
        try await group.waitForAll()
    }
}
/// Starts a warm-up saga (waiting out the consumer groups' first join), then `count` sagas with
/// at most `inFlight` unfinished at a time; returns the measured wall time and CPU seconds.
func drive(
    _ orchestrator: SagaOrchestrator, completions: AsyncStream<Void>, recorder: Recorder, count: Int, inFlight: Int,
    brokerPID: Int32?
) async throws -> (elapsed: Duration, cpuSelf: Double?, cpuBroker: Double?) {
    let data = try OrderData(orderID: "ok", amount: 1).encodePayload()
    var completed = completions.makeAsyncIterator()
    recorder.start("warm-up")
    _ = try await orchestrator.start(sagaType: "order", sagaID: "warm-up", data: data)
    _ = await completed.next()
    let cpuSelf0 = ProcessCPU.seconds(nil)
    let cpuBroker0 = ProcessCPU.seconds(brokerPID)
    let began = ContinuousClock.now
    var ended = 0
    for i in 0..<count {
        if i - ended >= inFlight {
            _ = await completed.next()
            ended += 1
        }
        let id = "bench-\(i)"
        recorder.start(id)
        _ = try await orchestrator.start(sagaType: "order", sagaID: id, data: data)
    }
    while ended < count {
        _ = await completed.next()
        ended += 1
    }
    let elapsed = ContinuousClock.now - began
    let cpuSelf = cpuSelf0.flatMap { start in ProcessCPU.seconds(nil).map { $0 - start } }
    let cpuBroker = cpuBroker0.flatMap { start in ProcessCPU.seconds(brokerPID).map { $0 - start } }
    return (elapsed, cpuSelf, cpuBroker)
}

let (elapsed, cpuSelf, cpuBroker) = try await drive(
    orchestrator, completions: completions, recorder: recorder, count: sagaCount, inFlight: inFlight, brokerPID: brokerPID
)
services.cancel()
_ = await services.result

let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(String(format: "saga      %d sagas in %.2f s: %.0f sagas/s (%d failed)", sagaCount, seconds, Double(sagaCount) / seconds, recorder.failed))
print(String(format: "saga      start→completed latency: p50 %.2f ms, p99 %.2f ms", recorder.percentile(50), recorder.percentile(99)))
print(String(format: "ratio     saga p50 / baseline p50 = %.2f", recorder.percentile(50) / base.p50))
if let cpuSelf {
    let broker = cpuBroker.map { String(format: "%.2f s", $0) } ?? "unknown (set SAGA_BENCH_BROKER_PID)"
    print(String(format: "cpu       engine process (orchestrator + participants): %.2f s; broker: %@; wall %.2f s", cpuSelf, broker, seconds))
}
