import ArgumentParser
import SagaCore
import Foundation
import SystemPackage
import Kafka
import Logging
import SagaObservability
import SagaPostgres
import SagaContracts
import SagaSystem

/// `saga-server`: runs one role of the saga system (or `all`) until SIGTERM/SIGINT.
@main
struct SagaServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga-server",
        abstract: "Runs one role of the saga system (orchestrator, order, inventory, payment, account, notification, api, or all).",
        discussion: """
            Every setting is an environment variable and a flag (the flag wins); see docs/configuration.md.
            SIGTERM or SIGINT shuts down gracefully: in-flight messages finish and their offsets are committed.
            """,
        version: SagaVersion.current
    )

    @OptionGroup var options: SagaServerOptions

    @Flag(name: .customLong("print-env-names"), help: "Print the environment variables saga-server reads, one per line, and exit.")
    var printEnvironmentNames = false

    @Flag(
        name: .customLong("print-topics"),
        help: "Print every topic the shipped sagas use and its dead-letter topic (unprefixed), one per line, and exit."
    )
    var printTopics = false

    @Flag(name: .customLong("create-topics"), help: "Create every topic and its dead-letter topic (existing ones are kept), then exit.")
    var createTopics = false

    @Option(name: .customLong("partitions"), help: "Partitions of each topic --create-topics creates.")
    var partitions: Int32 = 3

    func run() async throws {
        if printEnvironmentNames {
            for name in SagaServerSettings.environmentVariableNames { print(name) }
            return
        }
        if printTopics {
            for name in TopicProvisioner.topicNames(SagaTopics()) { print(name) }
            return
        }
        let environment = ProcessInfo.processInfo.environment
        var overrides = options.overrides
        // Creating topics needs no role; any role reads the same broker and prefix settings.
        if createTopics, overrides["SAGA_ROLE"] == nil, environment["SAGA_ROLE"] == nil { overrides["SAGA_ROLE"] = Role.all.rawValue }
        // Nor does it serve HTTP, so it needs no tokens.
        if createTopics, overrides["SAGA_AUTH_TOKENS"] == nil, environment["SAGA_AUTH_TOKENS"] == nil { overrides["SAGA_AUTH_DISABLED"] = "true" }
        let settings: SagaServerSettings
        do {
            settings = try SagaServerSettings(environment: environment, overrides: overrides)
        } catch {
            _ = try? FileDescriptor.standardError.writeAll("saga-server: \(error)\n".utf8)  // a failed report of a failure has nowhere to go
            throw ExitCode(78)  // EX_CONFIG
        }
        // Before any logger, metric or engine type exists: their defaults read the global systems.
        LoggingBootstrap.bootstrap(format: settings.logFormat, level: settings.logLevel)
        let registry = MetricsBootstrap.bootstrap()
        var logger = Logger(label: "saga-server")
        logger[metadataKey: "role"] = "\(settings.role)"
        if case .disabled = settings.authentication, !createTopics {
            logger.warning("HTTP API authentication is DISABLED (SAGA_AUTH_DISABLED=true): anyone who reaches the port can start and operate sagas")
        }
        if createTopics {
            guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
            let created = try await TopicProvisioner(kafka: settings.kafka, topics: settings.topics, partitions: partitions, logger: logger)
                .createTopics()
            logger.info("topics created", metadata: ["created": "\(created.count)"])
            return
        }
        do {
            try await Self.checkBroker(settings, logger: logger)
            let tracing = try TracingBootstrap.bootstrap(environment: settings.values, defaultServiceName: settings.otelServiceName)
            let system = try await SagaSystem(settings: settings, metrics: registry, logger: logger)
            let logger = logger
            // The one startup line: role, settings given (secrets redacted), librdkafka, bound port.
            try await system.run(extraServices: tracing.map { [$0] } ?? [], onListening: { host, port in
                logger.info("saga-server started, listening on \(host):\(port)", metadata: [
                    "librdkafka": "\(LibrdkafkaVersion.string)", "settings": "\(settings.redactedDescription)",
                    "host": "\(host)", "port": "\(port)",
                ])
            })
        } catch let error as PostgresStoreError {
            // The database cannot be used as configured (wrong URL, password, database, host): a configuration error.
            logger.critical("saga-server cannot open its database", metadata: ["error": "\(error)"])
            throw ExitCode(78)  // EX_CONFIG
        } catch {
            logger.critical("saga-server failed", metadata: ["error": "\(error)", "librdkafka": "\(LibrdkafkaVersion.string)"])
            throw ExitCode.failure
        }
        logger.info("stopped")
    }

    /// Fails fast on a broker configuration that can never work — TLS against a plaintext
    /// listener, failed SASL authentication, an unresolvable host — instead of letting librdkafka
    /// retry silently forever. A broker that is merely down is logged and waited for: the
    /// consumers reconnect and `/readyz` answers 503 until it is back.
    static func checkBroker(_ settings: SagaServerSettings, logger: Logger) async throws {
        do {
            let cluster = try await KafkaAdmin.checkConnectivity(settings.kafka, timeout: .seconds(10), logger: logger)
            logger.info("broker reachable", metadata: ["brokers": "\(cluster.brokers.map(\.address))"])
        } catch let error where [.ssl, .authentication, .resolve].contains(error.code) {
            throw error
        } catch {
            logger.warning("broker not reachable yet; starting anyway", metadata: ["error": "\(error)"])
        }
    }
}
