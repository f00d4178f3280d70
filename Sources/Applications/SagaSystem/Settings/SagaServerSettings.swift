import SagaContracts
import SagaAPI
import Avro
import Foundation
import Kafka
import Logging
import SchemaRegistry
import SagaObservability
import SagaCore
import SagaPostgres
import ServiceKit

/// Everything a `saga-server` process is configured with, read from environment variables
/// (12-factor) with command-line flags winning over them. ``descriptors`` is the one table of
/// settings; `docs/configuration.md` documents it.
///
/// ```swift
/// let settings = try SagaServerSettings(environment: ProcessInfo.processInfo.environment)
/// // or, with flags parsed by ``SagaServerOptions``:
/// let settings = try SagaServerSettings(environment: env, overrides: options.overrides)
/// ```
public struct SagaServerSettings: Sendable {
    /// The role this process runs.
    public var role: Role
    /// Directory of the SQLite files (`<role>.sqlite`).
    public var dataDirectory: String
    /// This role's database file, overriding the data directory (single roles only).
    public var databasePath: String?
    /// Every role's database on PostgreSQL (`SAGA_DATABASE_URL`); `nil` = each role's SQLite file.
    /// Each role keeps its tables in its own schema (``databaseSchema(for:)``).
    public var database: PostgresDatabaseURL?
    /// `SAGA_DATABASE_SCHEMA`: the schema of a single role's tables (default: the role's name);
    /// for role `all`, the prefix of every role's schema (`<prefix>_<role>`).
    public var databaseSchema: String?
    /// `SAGA_DATABASE_MAX_CONNECTIONS`: at most this many connections per role's PostgreSQL store.
    public var databaseMaxConnections: Int
    /// `SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS`: how long one PostgreSQL statement may wait for its answer.
    public var databaseStatementTimeout: Duration
    /// Prefix of every topic name.
    public var topicPrefix: String
    /// Consumer group = prefix + role.
    public var consumerGroupPrefix: String
    /// HTTP bind address.
    public var httpHost: String
    /// HTTP port (0 = any free port).
    public var httpPort: Int
    /// api role: base URL of the order role.
    public var orderURL: URL?
    /// api role: base URL of the orchestrator role.
    public var orchestratorURL: URL?
    /// The bearer tokens of the HTTP API, or ``APIAuthentication/disabled`` when `SAGA_AUTH_DISABLED=true`.
    public var authentication: APIAuthentication
    /// orchestrator: reply timeout per step attempt.
    public var stepTimeout: Duration
    /// orchestrator: attempts per step.
    public var stepMaxAttempts: Int
    /// orchestrator: which messages the sagas' timelines keep (`SAGA_TIMELINE_MESSAGES`).
    public var timelineRetention: SagaTimelineRetention
    /// orchestrator: which lifecycle events it publishes (`SAGA_LIFECYCLE_EVENTS`).
    public var lifecycleEvents: SagaLifecycleEvents
    /// every role: how much each outbox relay sends at once (`SAGA_RELAY_BATCH_SIZE`,
    /// `SAGA_RELAY_BATCHES_IN_FLIGHT`).
    public var relayLimits: OutboxRelayLimits
    /// orchestrator: how long a finished saga's details are kept (`SAGA_FINISHED_SAGA_RETENTION_DAYS`);
    /// `nil` keeps them for ever.
    public var finishedSagaRetention: Duration?
    /// payment simulator: default per-customer limit in minor units.
    public var paymentLimitMinor: Int64
    /// notification role: webhook to deliver to (`nil` = the log channel).
    public var notificationWebhookURL: URL?
    /// Whether to seed demo products and accounts on start.
    public var seedDemoData: Bool
    /// How long a graceful shutdown may take before the services are cancelled.
    public var shutdownTimeout: Duration
    /// Log level.
    public var logLevel: Logger.Level
    /// Log line format.
    public var logFormat: LogFormat
    /// The framing of every Avro value the process publishes (`SAGA_WIRE_FORMAT`).
    public var wireFormat: AvroWireFormat
    /// The external schema registry (`SAGA_SCHEMA_REGISTRY_*`), `nil` = this build's contracts only.
    public var schemaRegistry: SchemaRegistryConfiguration?
    /// Broker connection (bootstrap servers, security).
    public var kafka: KafkaConfiguration
    /// OTLP endpoint for traces (`nil` = no export).
    public var otlpEndpoint: String?
    /// Service name on spans.
    public var otelServiceName: String
    /// The raw values read, by variable name (for the redacted startup line).
    public var values: [String: String]

    /// Reads the settings from `environment`, with `overrides` (flag values by variable name)
    /// winning over it, and validates them.
    ///
    /// - Throws: ``SagaServerSettingsError`` naming the first missing or invalid setting.
    public init(environment: [String: String], overrides: [String: String] = [:]) throws(SagaServerSettingsError) {
        var values: [String: String] = [:]
        for descriptor in Self.descriptors {
            if let value = overrides[descriptor.name] ?? environment[descriptor.name] { values[descriptor.name] = value }
        }
        let reader = Reader(values: values)
        guard let roleText = reader.text("SAGA_ROLE") else {
            throw .missing(name: "SAGA_ROLE", flag: "role", hint: "one of " + Role.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let role = Role(rawValue: roleText.lowercased()) else {
            throw reader.invalid("SAGA_ROLE", roleText, expected: Role.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.role = role
        dataDirectory = reader.text("SAGA_DATA_DIR") ?? "./data"
        databasePath = reader.text("SAGA_DATABASE_PATH")
        if databasePath != nil, role == .all || role == .api {
            throw .conflict("SAGA_DATABASE_PATH names one role's database; role \(role) uses SAGA_DATA_DIR")
        }
        (database, databaseSchema) = try Self.database(reader, role: role, databasePath: databasePath)
        databaseMaxConnections = try reader.integer("SAGA_DATABASE_MAX_CONNECTIONS", default: 10, in: 1...1_000)
        databaseStatementTimeout = .seconds(try reader.integer("SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS", default: 30, in: 1...3_600))
        for name in ["SAGA_DATABASE_MAX_CONNECTIONS", "SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS"] where database == nil && reader.text(name) != nil {
            throw .conflict("\(name) configures the PostgreSQL connections; set SAGA_DATABASE_URL too")
        }
        topicPrefix = values["SAGA_TOPIC_PREFIX"] ?? ""
        consumerGroupPrefix = values["SAGA_CONSUMER_GROUP_PREFIX"] ?? "saga-"
        httpHost = reader.text("SAGA_HTTP_HOST") ?? "0.0.0.0"
        httpPort = try reader.integer("SAGA_HTTP_PORT", default: 8080, in: 0...65_535)
        orderURL = try reader.url("SAGA_ORDER_URL")
        orchestratorURL = try reader.url("SAGA_ORCHESTRATOR_URL")
        if role == .api {
            guard orderURL != nil else { throw .missing(name: "SAGA_ORDER_URL", flag: "order-url", hint: "the api role forwards orders to it") }
            guard orchestratorURL != nil else {
                throw .missing(name: "SAGA_ORCHESTRATOR_URL", flag: "orchestrator-url", hint: "the api role forwards saga queries to it")
            }
        }
        authentication = try Self.authentication(reader)
        stepTimeout = .seconds(try reader.integer("SAGA_STEP_TIMEOUT_SECONDS", default: 30, in: 1...86_400))
        stepMaxAttempts = try reader.integer("SAGA_STEP_MAX_ATTEMPTS", default: 5, in: 1...1_000)
        let timelineText = reader.text("SAGA_TIMELINE_MESSAGES") ?? SagaTimelineRetention.all.rawValue
        guard let timeline = SagaTimelineRetention(rawValue: timelineText.lowercased()) else {
            throw reader.invalid("SAGA_TIMELINE_MESSAGES", timelineText, expected: "all or none")
        }
        timelineRetention = timeline
        let lifecycleText = reader.text("SAGA_LIFECYCLE_EVENTS") ?? SagaLifecycleEvents.all.rawValue
        guard let lifecycle = SagaLifecycleEvents(rawValue: lifecycleText.lowercased()) else {
            throw reader.invalid("SAGA_LIFECYCLE_EVENTS", lifecycleText, expected: "all, terminal or none")
        }
        lifecycleEvents = lifecycle
        relayLimits = OutboxRelayLimits(
            batchSize: try reader.integer("SAGA_RELAY_BATCH_SIZE", default: OutboxRelayLimits.default.batchSize, in: 1...100_000),
            batchesInFlight: try reader.integer("SAGA_RELAY_BATCHES_IN_FLIGHT", default: OutboxRelayLimits.default.batchesInFlight, in: 1...64))
        let retentionDays = try reader.integer("SAGA_FINISHED_SAGA_RETENTION_DAYS", default: 0, in: 0...36_500)
        finishedSagaRetention = retentionDays == 0 ? nil : .seconds(retentionDays * 86_400)
        paymentLimitMinor = Int64(try reader.integer("SAGA_PAYMENT_LIMIT_MINOR", default: 500_000, in: 0...Int(Int64.max)))
        notificationWebhookURL = try reader.url("SAGA_NOTIFICATION_WEBHOOK_URL")
        seedDemoData = try reader.boolean("SAGA_SEED_DEMO_DATA", default: false)
        shutdownTimeout = .seconds(try reader.integer("SAGA_SHUTDOWN_TIMEOUT_SECONDS", default: 30, in: 1...3_600))
        let levelText = reader.text("SAGA_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw reader.invalid("SAGA_LOG_LEVEL", levelText, expected: Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        logLevel = level
        let formatText = reader.text("SAGA_LOG_FORMAT") ?? "json"
        guard let format = LogFormat(rawValue: formatText.lowercased()) else {
            throw reader.invalid("SAGA_LOG_FORMAT", formatText, expected: "json or text")
        }
        logFormat = format
        let wireText = reader.text("SAGA_WIRE_FORMAT") ?? AvroWireFormat.singleObject.rawValue
        guard let wire = AvroWireFormat(rawValue: wireText.lowercased()) else {
            throw reader.invalid("SAGA_WIRE_FORMAT", wireText, expected: "single-object or confluent")
        }
        wireFormat = wire
        do {
            schemaRegistry = try SchemaRegistryConfiguration(environment: values)
        } catch {
            throw .conflict(error.description)
        }
        kafka = Self.withServiceDefaults(try Self.kafkaConfiguration(values: values, clientID: "saga-\(role)"))
        otlpEndpoint = reader.text("OTEL_EXPORTER_OTLP_ENDPOINT")
        otelServiceName = reader.text("OTEL_SERVICE_NAME") ?? "saga-\(role)"
        self.values = values
    }

    /// The PostgreSQL database of every role, if `SAGA_DATABASE_URL` is set, and the schema
    /// override; a URL that does not parse is reported without its password.
    private static func database(
        _ reader: Reader, role: Role, databasePath: String?
    ) throws(SagaServerSettingsError) -> (PostgresDatabaseURL?, String?) {
        let schema = reader.text("SAGA_DATABASE_SCHEMA")
        guard let raw = reader.text("SAGA_DATABASE_URL") else {
            if schema != nil { throw .conflict("SAGA_DATABASE_SCHEMA names a PostgreSQL schema; set SAGA_DATABASE_URL too") }
            return (nil, nil)
        }
        if databasePath != nil {
            throw .conflict("SAGA_DATABASE_URL and SAGA_DATABASE_PATH both name the role's database; set one")
        }
        let url: PostgresDatabaseURL
        do {
            url = try PostgresDatabaseURL(parsing: raw)
        } catch {
            let reason = if case .invalidURL(_, let reason) = error { reason } else { error.description }
            throw .invalid(
                name: "SAGA_DATABASE_URL", flag: reader.flag("SAGA_DATABASE_URL"), value: PostgresDatabaseURL.redacting(raw),
                expected: "postgres://user:password@host:port/database (\(reason))")
        }
        if let schema {
            // Role `all` appends `_<role>`: the longest role name must still fit.
            let longest = role == .all ? schema + "_" + (Role.allCases.map(\.rawValue).max { $0.count < $1.count } ?? "") : schema
            guard PostgresStoreConfiguration.isValidSchemaName(schema), PostgresStoreConfiguration.isValidSchemaName(longest) else {
                throw reader.invalid("SAGA_DATABASE_SCHEMA", schema, expected: "a lower-case SQL identifier (letters, digits, _)")
            }
        }
        return (url, schema)
    }

    /// The PostgreSQL schema of `role`'s tables: ``databaseSchema`` or the role's name for a
    /// single role; `<databaseSchema>_<role>` (or the role's name) under role `all`.
    public func databaseSchema(for role: Role) -> String {
        guard let databaseSchema else { return role.rawValue }
        return self.role == .all ? "\(databaseSchema)_\(role.rawValue)" : databaseSchema
    }

    /// Where `role` (a single role) keeps its tables on PostgreSQL; `nil` when `SAGA_DATABASE_URL`
    /// is unset (its SQLite file).
    public func postgres(for role: Role) -> PostgresStoreConfiguration? {
        database.map {
            PostgresStoreConfiguration(url: $0, schema: databaseSchema(for: role), maximumConnections: databaseMaxConnections,
                statementTimeout: databaseStatementTimeout.timeInterval)
        }
    }

    /// Secure by default: `SAGA_AUTH_TOKENS` must list tokens unless `SAGA_AUTH_DISABLED=true`
    /// says, explicitly, that the API is open (both set is a conflict: which one was meant?).
    private static func authentication(_ reader: Reader) throws(SagaServerSettingsError) -> APIAuthentication {
        let disabled = try reader.boolean("SAGA_AUTH_DISABLED", default: false)
        let text = reader.text("SAGA_AUTH_TOKENS")
        if disabled {
            guard text == nil else { throw .conflict("SAGA_AUTH_TOKENS is set and SAGA_AUTH_DISABLED=true; unset one of them") }
            return .disabled
        }
        guard let text else {
            throw .missing(name: "SAGA_AUTH_TOKENS", flag: "auth-tokens",
                hint: "the HTTP API needs bearer tokens: comma-separated name:role:sha256-hex entries (`sagactl auth token --role operator` makes one); "
                    + "SAGA_AUTH_DISABLED=true (--auth-disabled) serves it without, for local experiments only")
        }
        do {
            return .required(try AccessTokens(parsing: text))
        } catch {
            // The reason names the entry's position, never its text.
            throw .invalid(name: "SAGA_AUTH_TOKENS", flag: "auth-tokens", value: KafkaConfiguration.redactedValue, expected: "name:role:sha256-hex entries (\(error))")
        }
    }

    /// The topic names under ``topicPrefix``.
    public var topics: SagaTopics { SagaTopics(prefix: topicPrefix) }

    /// The consumer group of `role` (a single role).
    public func consumerGroup(for role: Role) -> String { consumerGroupPrefix + role.rawValue }

    /// The database file of `role` (a single role): ``databasePath`` if set, else `<data dir>/<role>.sqlite`.
    public func databasePath(for role: Role) -> String {
        if let databasePath, self.role != .all { return databasePath }
        return URL(fileURLWithPath: dataDirectory).appendingPathComponent("\(role.rawValue).sqlite").path
    }

    /// The settings as `NAME=value` pairs (sorted), secrets shown as `KafkaConfiguration.redactedValue`: safe to log.
    public var redactedDescription: String {
        Self.descriptors.compactMap { descriptor -> String? in
            guard var value = values[descriptor.name] else { return nil }
            // A registry URL may carry user information: show the configuration's base URL, which has none.
            if descriptor.name == SchemaRegistryConfiguration.urlVariable, let registry = schemaRegistry { value = registry.baseURL }
            // The database URL carries the password: show it without.
            if descriptor.name == "SAGA_DATABASE_URL" { value = database?.description ?? PostgresDatabaseURL.redacting(value) }
            return "\(descriptor.name)=\(descriptor.isSecret ? KafkaConfiguration.redactedValue : value)"
        }.joined(separator: " ")
    }

    /// The consumer group timings of the services unless the configuration sets them: a 10 s
    /// session (Kafka's default before 3.0) with 1 s heartbeats, so a crashed member's partitions
    /// move within seconds rather than librdkafka's 45 s, and stored offsets committed every second.
    static func withServiceDefaults(_ configuration: KafkaConfiguration) -> KafkaConfiguration {
        var configuration = configuration
        if configuration.sessionTimeout == nil { configuration.sessionTimeout = .seconds(10) }
        if configuration.heartbeatInterval == nil { configuration.heartbeatInterval = .seconds(1) }
        if configuration.autoCommitInterval == nil { configuration.autoCommitInterval = .seconds(1) }
        return configuration
    }

    /// The broker part, read by the Kafka module's `KafkaConfiguration.fromEnvironment`
    /// (TLS/SASL settings validated there, before any connection).
    static func kafkaConfiguration(values: [String: String], clientID: String) throws(SagaServerSettingsError) -> KafkaConfiguration {
        let servers = (values["KAFKA_BOOTSTRAP_SERVERS"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !servers.isEmpty else {
            throw .missing(name: "KAFKA_BOOTSTRAP_SERVERS", flag: "bootstrap-servers", hint: "a comma-separated host:port list")
        }
        do {
            return try KafkaConfiguration.fromEnvironment(values, clientID: clientID)
        } catch {
            let name = error.property ?? "KAFKA_*"
            let flag = descriptors.first { $0.name == name }?.flag ?? "bootstrap-servers"
            throw .broker(name: name, flag: flag, reason: error.message)
        }
    }
}

/// Typed reads of the raw values, each failure naming its variable and flag.
private struct Reader {
    let values: [String: String]

    func flag(_ name: String) -> String {
        SagaServerSettings.descriptors.first { $0.name == name }?.flag ?? name.lowercased()
    }

    func invalid(_ name: String, _ value: String, expected: String) -> SagaServerSettingsError {
        .invalid(name: name, flag: flag(name), value: value, expected: expected)
    }

    /// The trimmed value, `nil` when unset or blank.
    func text(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(SagaServerSettingsError) -> Int {
        guard let raw = text(name) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw invalid(name, raw, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func boolean(_ name: String, default defaultValue: Bool) throws(SagaServerSettingsError) -> Bool {
        guard let raw = text(name) else { return defaultValue }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw invalid(name, raw, expected: "true or false")
        }
    }

    func url(_ name: String) throws(SagaServerSettingsError) -> URL? {
        guard let raw = text(name) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil
        else { throw invalid(name, raw, expected: "an http(s) URL such as http://host:8080") }
        return url
    }
}
