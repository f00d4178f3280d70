import ArgumentParser

/// The command-line flags of `saga-server`: one `--flag` per setting of
/// ``SagaServerSettings/descriptors``. A flag given wins over its environment variable;
/// unset flags fall back to the environment, then to the documented default.
///
/// ```swift
/// struct Server: AsyncParsableCommand {
///     @OptionGroup var options: SagaServerOptions
///     func run() async throws {
///         let settings = try SagaServerSettings(environment: ProcessInfo.processInfo.environment, overrides: options.overrides)
///     }
/// }
/// ```
public struct SagaServerOptions: ParsableArguments {
    @Option(name: .customLong("role"), help: Self.help("SAGA_ROLE"))
    var role: String?
    @Option(name: .customLong("data-dir"), help: Self.help("SAGA_DATA_DIR"))
    var dataDir: String?
    @Option(name: .customLong("database-path"), help: Self.help("SAGA_DATABASE_PATH"))
    var databasePath: String?
    @Option(name: .customLong("database-url"), help: Self.help("SAGA_DATABASE_URL", note: "prefer the environment: a command line is visible to other users"))
    var databaseURL: String?
    @Option(name: .customLong("database-schema"), help: Self.help("SAGA_DATABASE_SCHEMA"))
    var databaseSchema: String?
    @Option(name: .customLong("database-max-connections"), help: Self.help("SAGA_DATABASE_MAX_CONNECTIONS"))
    var databaseMaxConnections: String?
    @Option(name: .customLong("database-statement-timeout-seconds"), help: Self.help("SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS"))
    var databaseStatementTimeoutSeconds: String?
    @Option(name: .customLong("topic-prefix"), help: Self.help("SAGA_TOPIC_PREFIX"))
    var topicPrefix: String?
    @Option(name: .customLong("consumer-group-prefix"), help: Self.help("SAGA_CONSUMER_GROUP_PREFIX"))
    var consumerGroupPrefix: String?
    @Option(name: .customLong("http-host"), help: Self.help("SAGA_HTTP_HOST"))
    var httpHost: String?
    @Option(name: .customLong("http-port"), help: Self.help("SAGA_HTTP_PORT"))
    var httpPort: String?
    @Option(name: .customLong("order-url"), help: Self.help("SAGA_ORDER_URL"))
    var orderURL: String?
    @Option(name: .customLong("orchestrator-url"), help: Self.help("SAGA_ORCHESTRATOR_URL"))
    var orchestratorURL: String?
    @Option(name: .customLong("auth-tokens"), help: Self.help("SAGA_AUTH_TOKENS", note: "entries hold hashes only, but prefer the environment (a Secret)"))
    var authTokens: String?
    @Option(name: .customLong("auth-disabled"), help: Self.help("SAGA_AUTH_DISABLED"))
    var authDisabled: String?
    @Option(name: .customLong("step-timeout-seconds"), help: Self.help("SAGA_STEP_TIMEOUT_SECONDS"))
    var stepTimeoutSeconds: String?
    @Option(name: .customLong("step-max-attempts"), help: Self.help("SAGA_STEP_MAX_ATTEMPTS"))
    var stepMaxAttempts: String?
    @Option(name: .customLong("timeline-messages"), help: Self.help("SAGA_TIMELINE_MESSAGES"))
    var timelineMessages: String?
    @Option(name: .customLong("lifecycle-events"), help: Self.help("SAGA_LIFECYCLE_EVENTS"))
    var lifecycleEvents: String?
    @Option(name: .customLong("relay-batch-size"), help: Self.help("SAGA_RELAY_BATCH_SIZE"))
    var relayBatchSize: String?
    @Option(name: .customLong("relay-batches-in-flight"), help: Self.help("SAGA_RELAY_BATCHES_IN_FLIGHT"))
    var relayBatchesInFlight: String?
    @Option(name: .customLong("finished-saga-retention-days"), help: Self.help("SAGA_FINISHED_SAGA_RETENTION_DAYS"))
    var finishedSagaRetentionDays: String?
    @Option(name: .customLong("payment-limit-minor"), help: Self.help("SAGA_PAYMENT_LIMIT_MINOR"))
    var paymentLimitMinor: String?
    @Option(name: .customLong("notification-webhook-url"), help: Self.help("SAGA_NOTIFICATION_WEBHOOK_URL"))
    var notificationWebhookURL: String?
    @Option(name: .customLong("seed-demo-data"), help: Self.help("SAGA_SEED_DEMO_DATA"))
    var seedDemoData: String?
    @Option(name: .customLong("shutdown-timeout-seconds"), help: Self.help("SAGA_SHUTDOWN_TIMEOUT_SECONDS"))
    var shutdownTimeoutSeconds: String?
    @Option(name: .customLong("log-level"), help: Self.help("SAGA_LOG_LEVEL"))
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: Self.help("SAGA_LOG_FORMAT"))
    var logFormat: String?
    @Option(name: .customLong("wire-format"), help: Self.help("SAGA_WIRE_FORMAT"))
    var wireFormat: String?
    @Option(name: .customLong("schema-registry-url"), help: Self.help("SAGA_SCHEMA_REGISTRY_URL"))
    var schemaRegistryURL: String?
    @Option(name: .customLong("schema-registry-basic-auth"), help: Self.help("SAGA_SCHEMA_REGISTRY_BASIC_AUTH", note: "prefer the environment: a command line is visible to other users"))
    var schemaRegistryBasicAuth: String?
    @Option(name: .customLong("schema-registry-token"), help: Self.help("SAGA_SCHEMA_REGISTRY_TOKEN", note: "prefer the environment: a command line is visible to other users"))
    var schemaRegistryToken: String?
    @Option(name: .customLong("schema-registry-ca-file"), help: Self.help("SAGA_SCHEMA_REGISTRY_CA_FILE"))
    var schemaRegistryCAFile: String?
    @Option(name: .customLong("bootstrap-servers"), help: Self.help("KAFKA_BOOTSTRAP_SERVERS"))
    var bootstrapServers: String?
    @Option(name: .customLong("security-protocol"), help: Self.help("KAFKA_SECURITY_PROTOCOL"))
    var securityProtocol: String?
    @Option(name: .customLong("sasl-mechanism"), help: Self.help("KAFKA_SASL_MECHANISM"))
    var saslMechanism: String?
    @Option(name: .customLong("sasl-username"), help: Self.help("KAFKA_SASL_USERNAME"))
    var saslUsername: String?
    @Option(name: .customLong("sasl-password"), help: Self.help("KAFKA_SASL_PASSWORD", note: "prefer the environment: a command line is visible to other users"))
    var saslPassword: String?
    @Option(name: .customLong("ssl-ca-location"), help: Self.help("KAFKA_SSL_CA_LOCATION"))
    var sslCALocation: String?
    @Option(name: .customLong("ssl-certificate-location"), help: Self.help("KAFKA_SSL_CERTIFICATE_LOCATION"))
    var sslCertificateLocation: String?
    @Option(name: .customLong("ssl-key-location"), help: Self.help("KAFKA_SSL_KEY_LOCATION"))
    var sslKeyLocation: String?
    @Option(name: .customLong("ssl-key-password"), help: Self.help("KAFKA_SSL_KEY_PASSWORD", note: "prefer the environment: a command line is visible to other users"))
    var sslKeyPassword: String?
    @Option(name: .customLong("ssl-endpoint-identification"), help: Self.help("KAFKA_SSL_ENDPOINT_IDENTIFICATION"))
    var sslEndpointIdentification: String?
    @Option(name: .customLong("fetch-wait-max-ms"), help: Self.help("KAFKA_FETCH_WAIT_MAX_MS"))
    var fetchWaitMaxMs: String?
    @Option(name: .customLong("linger-ms"), help: Self.help("KAFKA_LINGER_MS"))
    var lingerMs: String?
    @Option(name: .customLong("otel-exporter-otlp-endpoint"), help: Self.help("OTEL_EXPORTER_OTLP_ENDPOINT"))
    var otelExporterOTLPEndpoint: String?
    @Option(name: .customLong("otel-service-name"), help: Self.help("OTEL_SERVICE_NAME"))
    var otelServiceName: String?

    /// Creates empty options (every value from the environment).
    public init() {}

    /// The flags given, as values by environment-variable name.
    public var overrides: [String: String] {
        let pairs: [(String, String?)] = [
            ("SAGA_ROLE", role),
            ("SAGA_DATA_DIR", dataDir),
            ("SAGA_DATABASE_PATH", databasePath),
            ("SAGA_DATABASE_URL", databaseURL),
            ("SAGA_DATABASE_SCHEMA", databaseSchema),
            ("SAGA_DATABASE_MAX_CONNECTIONS", databaseMaxConnections),
            ("SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS", databaseStatementTimeoutSeconds),
            ("SAGA_TOPIC_PREFIX", topicPrefix),
            ("SAGA_CONSUMER_GROUP_PREFIX", consumerGroupPrefix),
            ("SAGA_HTTP_HOST", httpHost),
            ("SAGA_HTTP_PORT", httpPort),
            ("SAGA_ORDER_URL", orderURL),
            ("SAGA_ORCHESTRATOR_URL", orchestratorURL),
            ("SAGA_AUTH_TOKENS", authTokens),
            ("SAGA_AUTH_DISABLED", authDisabled),
            ("SAGA_STEP_TIMEOUT_SECONDS", stepTimeoutSeconds),
            ("SAGA_STEP_MAX_ATTEMPTS", stepMaxAttempts),
            ("SAGA_TIMELINE_MESSAGES", timelineMessages),
            ("SAGA_LIFECYCLE_EVENTS", lifecycleEvents),
            ("SAGA_RELAY_BATCH_SIZE", relayBatchSize),
            ("SAGA_RELAY_BATCHES_IN_FLIGHT", relayBatchesInFlight),
            ("SAGA_FINISHED_SAGA_RETENTION_DAYS", finishedSagaRetentionDays),
            ("SAGA_PAYMENT_LIMIT_MINOR", paymentLimitMinor),
            ("SAGA_NOTIFICATION_WEBHOOK_URL", notificationWebhookURL),
            ("SAGA_SEED_DEMO_DATA", seedDemoData),
            ("SAGA_SHUTDOWN_TIMEOUT_SECONDS", shutdownTimeoutSeconds),
            ("SAGA_LOG_LEVEL", logLevel),
            ("SAGA_LOG_FORMAT", logFormat),
            ("SAGA_WIRE_FORMAT", wireFormat),
            ("SAGA_SCHEMA_REGISTRY_URL", schemaRegistryURL),
            ("SAGA_SCHEMA_REGISTRY_BASIC_AUTH", schemaRegistryBasicAuth),
            ("SAGA_SCHEMA_REGISTRY_TOKEN", schemaRegistryToken),
            ("SAGA_SCHEMA_REGISTRY_CA_FILE", schemaRegistryCAFile),
            ("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers),
            ("KAFKA_SECURITY_PROTOCOL", securityProtocol),
            ("KAFKA_SASL_MECHANISM", saslMechanism),
            ("KAFKA_SASL_USERNAME", saslUsername),
            ("KAFKA_SASL_PASSWORD", saslPassword),
            ("KAFKA_SSL_CA_LOCATION", sslCALocation),
            ("KAFKA_SSL_CERTIFICATE_LOCATION", sslCertificateLocation),
            ("KAFKA_SSL_KEY_LOCATION", sslKeyLocation),
            ("KAFKA_SSL_KEY_PASSWORD", sslKeyPassword),
            ("KAFKA_SSL_ENDPOINT_IDENTIFICATION", sslEndpointIdentification),
            ("KAFKA_FETCH_WAIT_MAX_MS", fetchWaitMaxMs),
            ("KAFKA_LINGER_MS", lingerMs),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", otelExporterOTLPEndpoint),
            ("OTEL_SERVICE_NAME", otelServiceName),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }

    /// The help line of the flag for `name`: its meaning, variable and default.
    static func help(_ name: String, note: String? = nil) -> ArgumentHelp {
        guard let descriptor = SagaServerSettings.descriptors.first(where: { $0.name == name }) else { return ArgumentHelp(name) }
        var text = "\(descriptor.meaning) (env \(name)"
        if let value = descriptor.defaultValue { text += ", default '\(value)'" }
        text += ")"
        if let note { text += "; \(note)" }
        return ArgumentHelp(text, valueName: "value")
    }
}
