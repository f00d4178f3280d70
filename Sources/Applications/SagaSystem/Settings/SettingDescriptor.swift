import Kafka

/// One setting of `saga-server`: its environment variable, its command-line flag, its default
/// and what it means. ``SagaServerSettings/descriptors`` lists every one; `docs/configuration.md`
/// shows the same table (a test checks they agree).
public struct SettingDescriptor: Sendable, Hashable {
    /// The environment variable, e.g. `SAGA_HTTP_PORT`.
    public var name: String
    /// The long flag without dashes, e.g. `http-port` (`--http-port`).
    public var flag: String
    /// The default as documented (`nil`: no default).
    public var defaultValue: String?
    /// One line saying what it sets.
    public var meaning: String
    /// Whether the value is a secret (never logged or printed).
    public var isSecret: Bool

    /// Creates a descriptor; the flag is the name without its `SAGA_`/`KAFKA_` prefix, lowercased, dashed.
    public init(_ name: String, default defaultValue: String? = nil, secret: Bool = false, _ meaning: String) {
        self.name = name
        var stem = Substring(name)
        for prefix in ["SAGA_", "KAFKA_"] where stem.hasPrefix(prefix) { stem = stem.dropFirst(prefix.count) }
        self.flag = stem.lowercased().replacingOccurrences(of: "_", with: "-")
        self.defaultValue = defaultValue
        self.meaning = meaning
        self.isSecret = secret
    }
}

extension SagaServerSettings {
    /// Every setting `saga-server` reads, in documentation order.
    public static let descriptors: [SettingDescriptor] = [
        SettingDescriptor("SAGA_ROLE", "required: orchestrator, order, inventory, payment, account, notification, api or all"),
        SettingDescriptor("SAGA_DATA_DIR", default: "./data", "directory of the SQLite files (`<role>.sqlite`)"),
        SettingDescriptor("SAGA_DATABASE_PATH", "this role's database file (overrides the data dir; not with role `all` or `api`)"),
        SettingDescriptor("SAGA_DATABASE_URL",
            "every role's database on PostgreSQL, `postgres://user:password@host:port/db` (`?sslmode=…&sslrootcert=…` as libpq names them); unset = SQLite. The password is never logged or printed"),
        SettingDescriptor("SAGA_DATABASE_SCHEMA", default: "the role's name", "the PostgreSQL schema of the role's tables (with `SAGA_DATABASE_URL`); for role `all`, the prefix of each role's schema (`<prefix>_<role>`)"),
        SettingDescriptor("SAGA_DATABASE_MAX_CONNECTIONS", default: "10",
            "with `SAGA_DATABASE_URL`: at most this many PostgreSQL connections per role's store (role `all`: per role); 1 to 1000"),
        SettingDescriptor("SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS", default: "30",
            "with `SAGA_DATABASE_URL`: how long one statement may wait for PostgreSQL's answer before its connection is closed and the message retried; 1 to 3600"),
        SettingDescriptor("SAGA_TOPIC_PREFIX", default: "", "prefix of every topic name"),
        SettingDescriptor("SAGA_CONSUMER_GROUP_PREFIX", default: "saga-", "consumer group = prefix + role"),
        SettingDescriptor("SAGA_HTTP_HOST", default: "0.0.0.0", "HTTP bind address"),
        SettingDescriptor("SAGA_HTTP_PORT", default: "8080", "HTTP port (0 = any free port; the bound port is logged at start)"),
        SettingDescriptor("SAGA_ORDER_URL", "api role: base URL of the order role (required for `api`)"),
        SettingDescriptor("SAGA_ORCHESTRATOR_URL", "api role: base URL of the orchestrator role (required for `api`)"),
        SettingDescriptor("SAGA_AUTH_TOKENS", secret: true,
            "bearer tokens of the HTTP API: comma-separated `name:role:sha256-hex` (role producer, viewer or operator; `sagactl auth token` makes one); required unless SAGA_AUTH_DISABLED"),
        SettingDescriptor("SAGA_AUTH_DISABLED", default: "false", "`true`: serve the HTTP API without tokens (logged as a warning at start); only for local experiments"),
        SettingDescriptor("SAGA_STEP_TIMEOUT_SECONDS", default: "30", "orchestrator: reply timeout per step attempt"),
        SettingDescriptor("SAGA_STEP_MAX_ATTEMPTS", default: "5", "orchestrator: attempts per step"),
        SettingDescriptor("SAGA_TIMELINE_MESSAGES", default: "all",
            "orchestrator: `all` keeps every command, reply, timer and lifecycle event of a saga, with its payload, for `GET /sagas/{id}/timeline`; `none` keeps none (the timeline then shows the operators' actions only)"),
        SettingDescriptor("SAGA_LIFECYCLE_EVENTS", default: "all",
            "orchestrator: which lifecycle events it publishes to `saga.events`: `all` (started, every step completed or failed, compensating, the end: what monitoring reads), `terminal` (completed, compensated or failed only) or `none`"),
        SettingDescriptor("SAGA_RELAY_BATCH_SIZE", default: "500",
            "every role: outbox rows the relay sends per batch (and claims per pass); 1 to 100000"),
        SettingDescriptor("SAGA_RELAY_BATCHES_IN_FLIGHT", default: "2",
            "every role: relay batches awaiting their delivery reports at once (more: shorter waits under light load, smaller produce requests); 1 to 64"),
        SettingDescriptor("SAGA_FINISHED_SAGA_RETENTION_DAYS", default: "0",
            "orchestrator: days a completed or compensated saga's state, steps and timeline are kept after it started (0 = for ever); then only its id, type, outcome and times remain, and a second start of its id is still refused"),
        SettingDescriptor("SAGA_PAYMENT_LIMIT_MINOR", default: "500000", "payment simulator: default per-customer limit (minor units)"),
        SettingDescriptor("SAGA_NOTIFICATION_WEBHOOK_URL", "notification role: deliver by HTTP POST to this URL; unset = log channel"),
        SettingDescriptor("SAGA_SEED_DEMO_DATA", default: "false", "seed demo products and accounts on start (idempotent)"),
        SettingDescriptor("SAGA_SHUTDOWN_TIMEOUT_SECONDS", default: "30", "graceful shutdown limit after SIGTERM/SIGINT"),
        SettingDescriptor("SAGA_LOG_LEVEL", default: "info", "trace, debug, info, notice, warning, error or critical"),
        SettingDescriptor("SAGA_LOG_FORMAT", default: "json", "`json` or `text`"),
        SettingDescriptor("SAGA_WIRE_FORMAT", default: "single-object",
            "framing of every Avro value published: `single-object` or `confluent` (ids of `/registry`, or of the external registry when set); consumers read both"),
        SettingDescriptor("SAGA_SCHEMA_REGISTRY_URL",
            "Confluent-compatible registry for schema ids that are not this build's contracts; unset = the contracts only"),
        SettingDescriptor("SAGA_SCHEMA_REGISTRY_BASIC_AUTH", secret: true, "`user:password` for the registry (never logged or printed)"),
        SettingDescriptor("SAGA_SCHEMA_REGISTRY_TOKEN", secret: true, "bearer token for the registry (never logged or printed)"),
        SettingDescriptor("SAGA_SCHEMA_REGISTRY_CA_FILE", "CA certificate file (PEM) to verify the registry"),
    ] + kafkaDescriptors + [
        SettingDescriptor("OTEL_EXPORTER_OTLP_ENDPOINT", "OTLP endpoint for traces; unset = no export"),
        SettingDescriptor("OTEL_SERVICE_NAME", default: "saga-<role>", "service name on spans"),
    ]

    /// The broker settings: exactly the variables `KafkaConfiguration.fromEnvironment` reads.
    static let kafkaDescriptors: [SettingDescriptor] = KafkaConfiguration.environmentVariableNames.map { name in
        SettingDescriptor(name, default: kafkaDefaults[name], secret: name.hasSuffix("PASSWORD"),
            kafkaMeanings[name] ?? "broker setting (see the Kafka module's KafkaConfiguration.fromEnvironment)")
    }

    private static let kafkaDefaults = [
        "KAFKA_SECURITY_PROTOCOL": "plaintext", "KAFKA_SSL_ENDPOINT_IDENTIFICATION": "https", "KAFKA_FETCH_WAIT_MAX_MS": "500",
        "KAFKA_LINGER_MS": "5",
    ]

    private static let kafkaMeanings = [
        "KAFKA_BOOTSTRAP_SERVERS": "required: comma-separated `host:port` list",
        "KAFKA_SECURITY_PROTOCOL": "plaintext, ssl, sasl_plaintext or sasl_ssl",
        "KAFKA_SASL_MECHANISM": "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "SASL user name",
        "KAFKA_SASL_PASSWORD": "SASL password (never logged or printed; prefer the variable to the flag)",
        "KAFKA_SSL_CA_LOCATION": "CA certificate file (PEM) to verify the broker",
        "KAFKA_SSL_CERTIFICATE_LOCATION": "client certificate file (PEM) for mutual TLS",
        "KAFKA_SSL_KEY_LOCATION": "client private key file (PEM)",
        "KAFKA_SSL_KEY_PASSWORD": "password of the client key (never logged or printed)",
        "KAFKA_SSL_ENDPOINT_IDENTIFICATION": "`https` (verify the broker's host name) or `none`",
        "KAFKA_FETCH_WAIT_MAX_MS": "how long the broker may hold a consumer's fetch that finds nothing new, in ms (0–300000); "
            + "Kafka answers as soon as a message arrives, a broker that waits out the deadline (Tansu, the local one) needs about 10",
        "KAFKA_LINGER_MS": "how long a producer (the outbox relays, the API's transfer requests) waits to fill a batch, in ms "
            + "(0–900000): longer means fewer, larger produce requests and that much more latency per message",
    ]

    /// Exactly the environment variables `saga-server` reads (a CI check compares deployment
    /// manifests against this list; `saga-server --print-env-names` prints it).
    public static let environmentVariableNames: [String] = descriptors.map(\.name)
}
