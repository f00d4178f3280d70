import ArgumentParser
import Foundation
import Kafka

/// `sagactl doctor`: checks what a deployment needs and says what to fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check librdkafka, the broker, the saga topics, the stores and the schemas; say what to fix.",
        discussion: """
            Prints one line per check: OK, WARN (works, but fix it), FAIL, or SKIP (not run because \
            a check it needs failed), with what to do. Exits 1 when any check fails. Secrets \
            (SASL, key and database passwords) are never printed. Stores are opened read-only.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("topic-prefix"), help: "Prefix of every saga topic (default: env SAGA_TOPIC_PREFIX, else none).")
    var topicPrefix: String?

    @Option(name: .customLong("store"), help: "A SQLite store to check, repeatable.")
    var stores: [String] = []

    @Option(name: .customLong("data-dir"), help: "Check every *.sqlite in this directory (the services' SAGA_DATA_DIR).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"),
        help: "The orchestrator's PostgreSQL store to check (default: env SAGA_DATABASE_URL; prefer the variable: a command line is visible to other users).")
    var databaseURL: String?

    @Option(name: .customLong("database-schema"), help: "Its schema (default: env SAGA_DATABASE_SCHEMA, else orchestrator).")
    var databaseSchema: String?

    @Option(name: .customLong("schemas"), help: "The contracts' .avsc folder (default: env SAGA_SCHEMAS, else ./schemas).")
    var schemaDirectory: String?

    @Option(help: "Seconds to wait for the broker.") var timeout: Double = 10

    @Flag(help: "Print the checks as one JSON object.") var json = false

    func run() async throws {
        try await runReportingErrors {
            guard timeout > 0 else { throw CLIError.input("--timeout must be more than 0") }
            let checks = await runChecks(environment: ProcessInfo.processInfo.environment)
            if json {
                StandardStreams.writeLine(try checks.jsonText())
            } else {
                for check in checks { StandardStreams.writeLine(check.line) }
                let counts = [DoctorCheck.Status.ok, .warn, .fail, .skip].map { status in
                    "\(checks.filter { $0.status == status }.count) \(status.rawValue)"
                }
                StandardStreams.writeLine(counts.joined(separator: ", "))
            }
            if checks.failed { throw ExitCode(1) }
        }
    }

    /// Every check, in order: librdkafka, configuration, broker, topics, stores, schemas.
    func runChecks(environment: [String: String]) async -> [DoctorCheck] {
        var checks = [KafkaDoctor.librdkafka()]
        var logger = KafkaClients.logger("sagactl.doctor")
        // librdkafka's own lines would repeat, on stderr, the failures the checks report.
        if environment["SAGACTL_LOG_LEVEL"] == nil { logger.logLevel = .critical }
        let wait = Duration.milliseconds(Int64(timeout * 1000))
        do {
            let configuration = try connection.configuration(environment: environment)
            checks.append(.ok("configuration", configuration.redactedDescription))
            let broker = await KafkaDoctor.broker(configuration, timeout: wait, logger: logger)
            checks.append(broker)
            if broker.status == .ok {
                let prefix = topicPrefix ?? environment["SAGA_TOPIC_PREFIX"] ?? ""
                checks += await KafkaDoctor.topics(configuration, prefix: prefix, timeout: wait, logger: logger)
            } else {
                checks.append(.skip("topics", "the broker is not reachable"))
            }
        } catch {
            checks.append(.fail("configuration", "\(error)", fix: "correct the KAFKA_* variables or the connection flags"))
            checks.append(.skip("broker", "the configuration is invalid"))
            checks.append(.skip("topics", "the configuration is invalid"))
        }
        let (paths, problem) = LocalDoctor.storePaths(stores: stores, dataDirectory: dataDirectory)
        if let problem { checks.append(problem) }
        checks += paths.map { LocalDoctor.store(at: $0) }
        if let url = databaseURL ?? environment["SAGA_DATABASE_URL"], !url.isEmpty {
            checks.append(await PostgresDoctor.store(url: url, schema: databaseSchema ?? environment["SAGA_DATABASE_SCHEMA"] ?? "orchestrator"))
        }
        checks.append(LocalDoctor.schemas(directory: schemaDirectory ?? environment["SAGA_SCHEMAS"] ?? "schemas"))
        return checks
    }
}
