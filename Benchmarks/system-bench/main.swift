// system-bench: the whole system end to end (every role in this process, as `saga-server --role
// all` runs them) on a local broker: order sagas and UPI transfers per second and their
// start → end latency at a fixed concurrency, beside the broker's own ceiling measured in the
// same run with bare clients (produce, and produce → consume) on records of the same size.
// Each configuration (SQLite or PostgreSQL; one orchestrator, or two in one consumer group) runs
// its rounds in turn; in each round the baseline runs on fresh topics and every saga run on a
// system of its own (fresh topics and stores). The table shows the medians, with Kafka records
// and database statements and commits per saga.
//
// Run with `scripts/bench-system` (release build, private broker, private PostgreSQL).
// Options: --store, --orchestrators, --sagas, --in-flight, --rounds, --records (`scripts/bench-system --help`).
import ArgumentParser
import Metrics
import Foundation
import Kafka
import Logging
import SagaContracts
import SagaCore
import SagaTestSupport
import SystemPackage

/// The benchmark's options.
struct SystemBenchOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system-bench",
        abstract: "Order sagas and UPI transfers per second through the whole system, beside the broker's ceiling.",
        discussion: """
            --store postgres needs SAGA_BENCH_DATABASE_URL; --orchestrators 2 also SAGA_BENCH_SERVER (a saga-server \
            executable) and SAGA_BENCH_REPLICA_PORT. scripts/bench-system sets them.
            """)

    @Option(help: "Where the roles keep their data: sqlite, postgres or both.") var store = "sqlite"
    @Option(help: "Orchestrator replicas in one consumer group: 1, 2 or both (2 needs postgres).") var orchestrators = "1"
    @Option(help: "Sagas of each kind per round.") var sagas = 1_000
    @Option(help: "Sagas unfinished at a time.") var inFlight = 200
    @Option(help: "Rounds per configuration; the table shows the medians.") var rounds = 3
    @Option(help: "Records per round of the broker baseline.") var records = 20_000
    @Flag(help: "Also run the whole system as a saga-server process, SIGKILL it once mid-run, and check every effect happened once.")
    var killOnce = false
    @Option(help: "Sagas unfinished at a time in the latency runs (0: no latency runs).") var latencyInFlight = 10
    @Option(help: "Sagas of each kind per latency run, and hops per floor measurement.") var latencySagas = 200
    @Option(help: "Seconds of sagas started at half the round's measured rate, open loop, for the latency there (0: none).")
    var pacedSeconds = 5
    @Option(help: "The orchestrator's SAGA_LIFECYCLE_EVENTS: all or terminal (the benchmark waits for SagaCompleted).")
    var lifecycleEvents = "all"
    @Option(help: "Payer and payee pairs the transfers are spread over (2: every transfer moves money between 4 accounts).")
    var accounts = 2
    @Option(help: "Products the orders are spread over (1: every order reserves the same product's stock).")
    var products = 1

    var stores: [BenchConfiguration.Store]? {
        store == "both" ? [.sqlite, .postgres] : BenchConfiguration.Store(rawValue: store).map { [$0] }
    }

    var replicaCounts: [Int]? { ["1": [1], "2": [2], "both": [1, 2]][orchestrators] }

    func validate() throws {
        for (name, value) in [("--sagas", sagas), ("--in-flight", inFlight), ("--rounds", rounds), ("--records", records),
            ("--latency-sagas", latencySagas), ("--accounts", accounts), ("--products", products)] where value <= 0
        {
            throw ValidationError("\(name) must be more than 0, got \(value)")
        }
        guard pacedSeconds >= 0 else { throw ValidationError("--paced-seconds must be 0 or more, got \(pacedSeconds)") }
        guard latencyInFlight >= 0 else { throw ValidationError("--latency-in-flight must be 0 or more, got \(latencyInFlight)") }
        guard stores != nil else { throw ValidationError("--store \(store): expected sqlite, postgres or both") }
        guard replicaCounts != nil else { throw ValidationError("--orchestrators \(orchestrators): expected 1, 2 or both") }
        guard ["all", "terminal"].contains(lifecycleEvents) else {
            throw ValidationError("--lifecycle-events must be all or terminal (sagas end on SagaCompleted), got \(lifecycleEvents)")
        }
    }
}

let options = SystemBenchOptions.parseOrExit()
let stores = options.stores ?? [.sqlite]
let replicaCounts = options.replicaCounts ?? [1]
let sagaCount = options.sagas
let inFlight = options.inFlight
let rounds = options.rounds
let baselineRecords = options.records
let environment = ProcessInfo.processInfo.environment
/// Each consuming service's batch time and size, from the engine's metrics (the lanes table).
let batchTotals = ConsumerBatchTotals()
MetricsSystem.bootstrap(batchTotals)
/// Reports an environment the benchmark cannot run with, and exits with status 64 (usage).
func environmentError(_ message: String) -> Never {
    _ = try? FileDescriptor.standardError.writeAll("system-bench: \(message)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(64)
}
/// The broker's bootstrap addresses.
let servers: String = {
    guard let servers = environment["KAFKA_BOOTSTRAP_SERVERS"] else {
        environmentError("KAFKA_BOOTSTRAP_SERVERS is not set (use scripts/bench-system)")
    }
    return servers
}()
let brokerPID = environment["SAGA_BENCH_BROKER_PID"].flatMap { Int32($0) }
/// The services' fetch wait as scripts/bench-system exports it for its Tansu broker (empty: librdkafka's default).
let fetchWaitSetting = environment["KAFKA_FETCH_WAIT_MAX_MS"] ?? ""
/// The producers' linger (`KAFKA_LINGER_MS`, empty: librdkafka's 5 ms) for the system and the baseline.
let lingerSetting = environment["KAFKA_LINGER_MS"] ?? ""
/// The log level of the benchmark and of the system it runs (`SAGA_BENCH_LOG_LEVEL`, `error` when unset): `warning`
/// or `notice` shows what the system reported during a slow round (librdkafka's request timeouts, retries).
let logLevel: Logger.Level = {
    guard let raw = environment["SAGA_BENCH_LOG_LEVEL"] else { return .error }
    guard let level = Logger.Level(rawValue: raw) else {
        environmentError("SAGA_BENCH_LOG_LEVEL '\(raw)' is not one of trace, debug, info, notice, warning, error, critical")
    }
    return level
}()
/// The longest saga of a full run gets its trail printed (``SystemUnderTest/trail(of:)``) when it took longer
/// than this (`SAGA_BENCH_TRAIL_MS`, 5,000): normal ones end within about 2 s here, one that waited out a step's
/// timeout (30 s) stands out.
let slowSagaMilliseconds: Double = {
    guard let raw = environment["SAGA_BENCH_TRAIL_MS"] else { return 5_000 }
    guard let value = Double(raw), value >= 0 else { environmentError("SAGA_BENCH_TRAIL_MS '\(raw)' is not a number of milliseconds") }
    return value
}()
/// How long a run waits with sagas unfinished and none starting or ending before it fails (`SAGA_BENCH_STALL_SECONDS`,
/// 120: four step timeouts, so a saga that waited one out still ends).
let stallLimit: Duration = {
    guard let raw = environment["SAGA_BENCH_STALL_SECONDS"] else { return .seconds(120) }
    guard let value = Int(raw), value > 0 else { environmentError("SAGA_BENCH_STALL_SECONDS '\(raw)' is not a whole number of seconds above 0") }
    return .seconds(value)
}()
/// Whether the data directory is kept after the run (`SAGA_BENCH_KEEP_DATA` set): each role's SQLite file, to follow
/// a slow saga by its id.
let keepData = environment["SAGA_BENCH_KEEP_DATA"] != nil
let logger: Logger = {
    var logger = Logger(label: "saga.system-bench")
    logger.logLevel = logLevel
    return logger
}()

/// Writes `line` to standard output at once (print buffers when the output is a file, and a crash loses it).
func say(_ line: String) {
    _ = try? FileDescriptor.standardOutput.writeAll((line + "\n").utf8)  // a failed write of a report line has nowhere to go
}

/// The longest saga and the slowest start call of each kind, and how long each run waited for its start calls
/// after its last saga ended: one saga stuck until a step's timeout, or a start that returns long after its saga
/// ended (an acknowledgement retried after a request timeout), stretches a run without showing in the p99.
func startDelays(_ orders: Measurement, _ transfers: Measurement) -> String {
    func ms(_ duration: Duration?) -> Double { (duration ?? .zero).timeInterval * 1000 }
    return String(format: "; longest saga: order %.0f ms (%@), transfer %.0f ms (%@); slowest start: order %.0f ms, transfer %.0f ms; "
        + "starts returned %.0f / %.0f ms after the last end", orders.longest ?? 0, orders.longestSagaID ?? "-",
        transfers.longest ?? 0, transfers.longestSagaID ?? "-",
        ms(orders.slowestStart), ms(transfers.slowestStart), ms(orders.startsAfterLastEnd), ms(transfers.startsAfterLastEnd))
}

/// Runs every selected configuration in turn and prints the table.
func runBenchmark() async throws {
    let (configurations, skipped) = BenchConfiguration.selected(stores: stores, orchestrators: replicaCounts)
    say("system-bench \(ISO8601DateFormatter().string(from: Date())): \(sagaCount) sagas per run, \(inFlight) in flight, "
        + "\(rounds) rounds per configuration, baseline \(baselineRecords) records, lifecycle events \(options.lifecycleEvents); "
        + "\(options.accounts) payer/payee pairs, \(options.products) products; fetch wait \(fetchWaitSetting.isEmpty ? "500 (librdkafka's default)" : fetchWaitSetting) ms; linger \(lingerSetting.isEmpty ? "5 (librdkafka's default)" : lingerSetting) ms; librdkafka \(LibrdkafkaVersion.string); "
        + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
    for line in skipped { say("skipped \(line)") }
    var results: [ConfigurationResult] = []
    for configuration in configurations { results.append(try await measure(configuration)) }
    say(Report(results: results, latencyInFlight: options.latencyInFlight, pacedSeconds: options.pacedSeconds).table)
    if options.killOnce {
        guard let server = environment["SAGA_BENCH_SERVER"], let port = environment["SAGA_BENCH_REPLICA_PORT"].flatMap({ Int($0) }) else {
            throw BenchError("--kill-once needs SAGA_BENCH_SERVER and SAGA_BENCH_REPLICA_PORT (scripts/bench-system sets them)")
        }
        say(try await KillOnce(servers: servers, server: server, port: port, pidFile: environment["SAGA_BENCH_PID_FILE"],
            transfers: sagaCount, inFlight: inFlight, logger: logger).run())
    }
}

do {
    try await runBenchmark()
} catch {
    _ = try? FileDescriptor.standardError.writeAll("system-bench: \(error)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(1)
}
