import SagaContracts
import Foundation
import SagaAPI
import Kafka
import Logging
import SagaDev
import SagaCore
import SagaSQLite
import SagaSystem
import ServiceKit
import UnixSignals

/// One `sagactl dev` run: the data directory and broker around either the in-process system
/// (``DevInProcess``) or the multi-process topology (``DevProcesses``).
struct DevSession {
    let options: DevOptions
    let logger = Logger(label: "sagactl.dev")

    func run() async throws {
        let data: DevDataDirectory
        do {
            data = try DevDataDirectory(path: options.dataDir, keep: options.keepData)
        } catch {
            throw CLIError.input("cannot create the data directory: \(error)")
        }
        // Trap the signals before anything starts: a Ctrl-C during start-up shuts down cleanly too.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        // A fixed HTTP port that is taken fails here, before anything starts.
        if options.httpPort != 0, !FreePort.isFree(options.httpPort) {
            throw DevError.portInUse(port: options.httpPort, purpose: "--http-port")
        }
        if let port = options.brokerPort, !FreePort.isFree(port) { throw DevError.portInUse(port: port, purpose: "--broker-port") }
        // A database that cannot work fails here too (exit 78), before the broker starts.
        if let database = options.database {
            try await database.check()
            StandardStreams.writeError("sagactl dev: every role's data on PostgreSQL \(database)")
        }
        var broker: TansuBroker?
        let bootstrapServers: String
        if let given = options.bootstrapServers {
            bootstrapServers = given
        } else {
            let tansu = try ExecutableLocator().tansu(explicit: options.tansu)
            StandardStreams.writeError("sagactl dev: starting Tansu (\(tansu)) …")
            let started = try await TansuBroker.start(executable: tansu, port: options.brokerPort ?? 0, logFile: data.file("broker.log"))
            broker = started
            bootstrapServers = started.bootstrapServers
        }
        var failure: (any Error)?
        do {
            let context = DevContext(options: options, data: data, broker: broker, bootstrapServers: bootstrapServers, signals: signals,
                tokens: DevTokens())
            try await TopicProvisioner(kafka: try context.kafka(), topics: context.topics, partitions: options.partitions, logger: logger)
                .createTopics()
            if options.processes {
                try await DevProcesses(context: context).run()
            } else {
                try await DevInProcess(context: context).run()
            }
        } catch {
            failure = error
        }
        if let broker {
            let stopped = await broker.stop()
            StandardStreams.writeError("sagactl dev: broker stopped"
                + (stopped.graceful ? "" : " (killed: it did not exit within 5 s of SIGTERM; it keeps nothing on disk)"))
        }
        do {
            if failure != nil, data.deletesOnFinish {
                // Kept for the post-mortem: the logs and databases of a run that failed.
                StandardStreams.writeError("sagactl dev: kept \(data.url.path) (the run failed)")
            } else if try data.finish() {
                StandardStreams.writeError("sagactl dev: removed \(data.url.path)")
            }
        } catch {
            StandardStreams.writeError("sagactl dev: could not remove \(data.url.path): \(error)")
        }
        if let failure { throw failure }
    }
}

/// What both modes share: the options, the data directory, the broker, the trapped signals.
struct DevContext: Sendable {
    let options: DevOptions
    let data: DevDataDirectory
    let broker: TansuBroker?
    let bootstrapServers: String
    let signals: UnixSignalsSequence
    /// The bearer tokens of this run's HTTP API.
    let tokens: DevTokens

    var topics: SagaTopics { SagaTopics(prefix: options.topicPrefix) }

    /// The settings every role gets (the in-process `all` role, or each child's environment).
    var sharedSettings: [String: String] {
        var settings = [
            "KAFKA_BOOTSTRAP_SERVERS": bootstrapServers,
            "SAGA_TOPIC_PREFIX": options.topicPrefix,
            // Runs with different prefixes on one broker get their own consumer groups too.
            "SAGA_CONSUMER_GROUP_PREFIX": options.topicPrefix + "saga-",
            "SAGA_SEED_DEMO_DATA": "true",
            "SAGA_LOG_LEVEL": options.logLevel,
            "SAGA_LOG_FORMAT": "text",
            "SAGA_AUTH_TOKENS": tokens.entries,
        ]
        // The Tansu broker started here holds a fetch that finds nothing until its deadline:
        // a short one keeps each hop fast (an external broker keeps what the environment says).
        if broker != nil { settings["KAFKA_FETCH_WAIT_MAX_MS"] = TansuBroker.fetchWaitMilliseconds }
        return settings
    }

    /// The broker configuration of sagactl's own clients.
    func kafka() throws -> KafkaConfiguration {
        let environment = ProcessInfo.processInfo.environment.merging(sharedSettings) { $1 }
        return try SagaServerSettings(environment: environment, overrides: ["SAGA_ROLE": Role.all.rawValue]).kafka
    }


    /// Waits for the first SIGINT/SIGTERM (or cancellation).
    func firstSignal() async -> UnixSignal? {
        for await signal in signals { return signal }
        return nil
    }

    /// Prints the saga counts every `--summary-interval` seconds while they change, until cancelled.
    func reportSummaries(storePath: String) async {
        var store: SQLiteSagaStore?
        await reportSummaries {
            if store == nil, FileManager.default.fileExists(atPath: storePath) { store = try SQLiteSagaStore(path: storePath) }
            guard let store else { return nil }
            return try await SagaTally.read(store)
        }
    }

    /// Prints the saga counts `read` returns (nil: no store yet) every `--summary-interval` seconds
    /// while they change, until cancelled.
    func reportSummaries(_ read: () async throws -> SagaTally?) async {
        var last: SagaTally?
        let started = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(options.summaryInterval)) } catch { return }
            do {
                guard let tally = try await read() else { continue }
                if tally != last || options.demo {
                    let seconds = Int((ContinuousClock.now - started).components.seconds)
                    StandardStreams.writeLine("[\(seconds)s] \(tally.summary)")
                }
                last = tally
            } catch {
                StandardStreams.writeError("sagactl dev: cannot read the saga store: \(error)")
            }
        }
    }
}
