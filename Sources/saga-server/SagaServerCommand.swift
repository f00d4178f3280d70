import ArgumentParser
import Foundation
import Kafka
import Logging
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
            """
    )

    @OptionGroup var options: SagaServerOptions

    @Flag(name: .customLong("print-env-names"), help: "Print the environment variables saga-server reads, one per line, and exit.")
    var printEnvironmentNames = false

    @Flag(name: .customLong("create-topics"), help: "Create every topic and its dead-letter topic (existing ones are kept), then exit.")
    var createTopics = false

    @Option(name: .customLong("partitions"), help: "Partitions of each topic --create-topics creates.")
    var partitions: Int32 = 3

    func run() async throws {
        if printEnvironmentNames {
            for name in SagaServerSettings.environmentVariableNames { print(name) }
            return
        }
        let environment = ProcessInfo.processInfo.environment
        var overrides = options.overrides
        // Creating topics needs no role; any role reads the same broker and prefix settings.
        if createTopics, overrides["SAGA_ROLE"] == nil, environment["SAGA_ROLE"] == nil { overrides["SAGA_ROLE"] = Role.all.rawValue }
        let settings: SagaServerSettings
        do {
            settings = try SagaServerSettings(environment: environment, overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("saga-server: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = settings.logLevel
            return handler
        }
        var logger = Logger(label: "saga-server")
        logger[metadataKey: "role"] = "\(settings.role)"
        if createTopics {
            guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
            let created = try await TopicProvisioner(kafka: settings.kafka, topics: settings.topics, partitions: partitions, logger: logger)
                .createTopics()
            logger.info("topics created", metadata: ["created": "\(created.count)"])
            return
        }
        do {
            let system = try await SagaSystem(settings: settings, logger: logger)
            let logger = logger
            // The one startup line: role, settings given (secrets redacted), librdkafka, bound port.
            try await system.run(onListening: { host, port in
                logger.info("saga-server started, listening on \(host):\(port)", metadata: [
                    "librdkafka": "\(LibrdkafkaVersion.string)", "settings": "\(settings.redactedDescription)",
                    "host": "\(host)", "port": "\(port)",
                ])
            })
        } catch {
            logger.critical("saga-server failed", metadata: ["error": "\(error)", "librdkafka": "\(LibrdkafkaVersion.string)"])
            throw ExitCode.failure
        }
        logger.info("stopped")
    }
}
