import ArgumentParser
import Foundation
import Logging
import SagaDev
import SagaPostgres

/// `sagactl dev`: the whole system on this machine with one command.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the local broker and every role of the saga system, optionally with a demo workload.",
        discussion: """
            Starts a Tansu broker on 127.0.0.1 (or uses --bootstrap-servers), creates the topics, seeds the \
            demo products and accounts, and runs the orchestrator, every service and the HTTP server in this \
            process (or, with --processes, each role as its own saga-server process). Ctrl-C or SIGTERM shuts \
            everything down gracefully, then stops the broker. The Tansu binary is --tansu, env SAGA_TANSU, \
            tansu on PATH, or .deps/bin/tansu (installed by scripts/setup) above the current directory or sagactl. \
            Each role keeps its data in a SQLite file of the data directory, or, with --database-url (or \
            SAGA_DATABASE_URL), in its own schema of that PostgreSQL database; a URL that cannot work (wrong password, \
            no such database, unreachable host) stops sagactl dev before anything starts, with exit status 78.
            """
    )

    @Option(help: "The Tansu broker binary (default: env SAGA_TANSU, PATH, .deps/bin/tansu).")
    var tansu: String?
    @Option(name: .customLong("bootstrap-servers"), help: "Use this running broker instead of starting one.")
    var bootstrapServers: String?
    @Option(name: .customLong("broker-port"), help: "Port of the broker started (default: a free port).")
    var brokerPort: Int?
    @Option(name: .customLong("http-port"), help: "HTTP port (0 = a free one); with --processes the api role's.")
    var httpPort: Int = 8080
    @Option(name: .customLong("data-dir"), help: "Directory of the databases and logs (default: a fresh temporary directory).")
    var dataDir: String?
    @Flag(name: .customLong("keep-data"), help: "Keep the temporary data directory on exit.")
    var keepData = false
    @Option(name: .customLong("topic-prefix"), help: "Prefix of every topic name.")
    var topicPrefix: String = ""
    @Option(help: "Partitions of each topic created.")
    var partitions: Int32 = 3
    @Flag(help: "Run a demo workload: orders and UPI transfers, failing ones included.")
    var demo = false
    @Option(help: ArgumentHelp("Demo requests per second.", valueName: "N/s"))
    var rate: String = "2"
    @Flag(help: "Run every role as its own saga-server process (the compose topology) instead of in this process.")
    var processes = false
    @Option(help: "The saga-server executable for --processes (default: next to sagactl).")
    var server: String?
    @Option(name: .customLong("database-url"), help: ArgumentHelp(
        "Every role's database on this PostgreSQL server, postgres://user:password@host:port/db (default: env SAGA_DATABASE_URL; "
            + "unset: SQLite files in the data directory). Prefer the variable: a flag's value shows in the process list.",
        valueName: "url"))
    var databaseURL: String?
    @Option(name: .customLong("database-schema"), help: ArgumentHelp(
        "With --database-url: the prefix of each role's schema, <prefix>_<role> (default: env SAGA_DATABASE_SCHEMA, else the role's name).",
        valueName: "prefix"))
    var databaseSchema: String?
    @Option(name: .customLong("log-level"), help: "Log level of the services (trace … critical).")
    var logLevel: String = "warning"
    @Option(name: .customLong("summary-interval"), help: "Seconds between summary lines.")
    var summaryInterval: Double = 5

    func validate() throws {
        guard requestsPerSecond != nil else { throw ValidationError("--rate \(rate): expected a positive number, e.g. 5 or 5/s") }
        guard (0...65_535).contains(httpPort) else { throw ValidationError("--http-port \(httpPort): expected 0…65535") }
        if let brokerPort, !(1...65_535).contains(brokerPort) { throw ValidationError("--broker-port \(brokerPort): expected 1…65535") }
        if brokerPort != nil, bootstrapServers != nil { throw ValidationError("--broker-port and --bootstrap-servers exclude each other") }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
        guard summaryInterval > 0 else { throw ValidationError("--summary-interval must be positive") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
    }

    /// `--rate` as requests per second (`5`, `5/s`, `0.5`).
    var requestsPerSecond: Double? {
        let text = rate.hasSuffix("/s") ? String(rate.dropLast(2)) : rate
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite else { return nil }
        return value
    }

    func run() async throws {
        try await runReportingErrors {
            let environment = ProcessInfo.processInfo.environment
            let database = try (databaseURL ?? environment["SAGA_DATABASE_URL"]).flatMap { text in
                text.isEmpty ? nil : try DevDatabase(url: text, schemaPrefix: databaseSchema ?? environment["SAGA_DATABASE_SCHEMA"].flatMap { $0.isEmpty ? nil : $0 })
            }
            if database == nil, databaseSchema != nil {
                throw CLIError.configuration("--database-schema names PostgreSQL schemas; give --database-url (or SAGA_DATABASE_URL) too")
            }
            let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .warning
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let session = DevSession(options: DevOptions(
                tansu: tansu, bootstrapServers: bootstrapServers, brokerPort: brokerPort, httpPort: httpPort, dataDir: dataDir,
                keepData: keepData, topicPrefix: topicPrefix, partitions: partitions, demo: demo, rate: requestsPerSecond ?? 2,
                processes: processes, server: server, logLevel: logLevel.lowercased(), summaryInterval: summaryInterval,
                database: database
            ))
            do {
                try await session.run()
            } catch let error as CLIError {
                throw error
            } catch let error as PostgresStoreError {
                throw CLIError.configuration("cannot use the database: \(error)")
            } catch let error as DevError {
                // A role that stops at start on its configuration (a database it cannot use) exits 78: so does sagactl dev.
                if case .exitedEarly(_, 78, _, _) = error { throw CLIError.configuration("\(error)") }
                throw CLIError.failed("\(error)")
            } catch {
                throw CLIError.failed("\(error)")
            }
        }
    }
}

/// The parsed options of `sagactl dev`, as a plain value the running parts share.
struct DevOptions: Sendable {
    var tansu: String?
    var bootstrapServers: String?
    var brokerPort: Int?
    var httpPort: Int
    var dataDir: String?
    var keepData: Bool
    var topicPrefix: String
    var partitions: Int32
    var demo: Bool
    var rate: Double
    var processes: Bool
    var server: String?
    var logLevel: String
    var summaryInterval: Double
    /// The PostgreSQL database of every role; nil: SQLite files in the data directory.
    var database: DevDatabase?
}
