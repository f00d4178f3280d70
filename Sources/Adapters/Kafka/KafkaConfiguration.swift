/// The configuration of a Kafka client (producer, consumer or admin).
///
/// Typed options cover what most services set; ``properties`` passes any other librdkafka
/// property through (see librdkafka's CONFIGURATION.md) and overrides a typed option of the
/// same name. Nothing is checked until a client is created: an unknown property or an invalid
/// value then fails with a ``KafkaError`` whose `property` names it and whose `message` is
/// librdkafka's reason.
///
/// ```swift
/// var config = KafkaConfiguration(bootstrapServers: ["localhost:9092"])
/// config.clientID = "payments"
/// config.compression = .zstd
/// config.properties["statistics.interval.ms"] = "0"
/// ```
public struct KafkaConfiguration: Sendable, Hashable {
    /// `bootstrap.servers`: the brokers to connect to first (`host:port`).
    public var bootstrapServers: [String]
    /// `client.id`: the name brokers log for this client.
    public var clientID: String?
    /// `group.id`: the consumer group (required by ``KafkaConsumer``).
    public var groupID: String?

    // MARK: Producer
    /// `acks`: how many replicas must acknowledge a message. Default: all in-sync replicas.
    public var acks: Acks = .all
    /// `enable.idempotence`: no duplicates or reordering from producer retries. Default: on.
    public var idempotence: Bool = true
    /// `compression.type` of produced batches. Default: none.
    public var compression: Compression = .none
    /// `linger.ms`: how long the producer waits to fill a batch. `nil` keeps librdkafka's default (5 ms).
    public var linger: Duration?
    /// `message.timeout.ms`: how long librdkafka may try to deliver a message before reporting failure.
    public var deliveryTimeout: Duration?
    /// `message.max.bytes`: the largest message (or fetch record batch) the client accepts.
    public var messageMaxBytes: Int?

    // MARK: Consumer
    /// `auto.offset.reset`: where a group without a committed offset starts. Default: earliest,
    /// so a new group never skips messages produced before it joined.
    public var autoOffsetReset: AutoOffsetReset = .earliest
    /// `partition.assignment.strategy`. `nil` keeps librdkafka's default (`range,roundrobin`).
    public var partitionAssignment: PartitionAssignment?
    /// `session.timeout.ms`: how long the group waits for a silent member before reassigning its partitions.
    public var sessionTimeout: Duration?
    /// `heartbeat.interval.ms`.
    public var heartbeatInterval: Duration?
    /// `max.poll.interval.ms`: the longest a message handler may run before the member is evicted.
    public var maxPollInterval: Duration?
    /// `auto.commit.interval.ms`: how often stored (processed) offsets are committed in the background.
    public var autoCommitInterval: Duration?
    /// `fetch.wait.max.ms`: how long the broker may hold a fetch that finds no new message.
    /// `nil` keeps librdkafka's default (500 ms). Kafka answers a waiting fetch as soon as a
    /// message arrives, so a long wait costs no latency there and few requests; a broker that
    /// answers only at the deadline (Tansu, the local one) needs a short wait for low latency.
    public var fetchWait: Duration?

    // MARK: Security
    /// `security.protocol`. Default: plaintext.
    public var securityProtocol: SecurityProtocol = .plaintext
    /// SASL mechanism and credentials (`sasl.*`).
    public var sasl: SASL?
    /// TLS files and checks (`ssl.*`).
    public var tls: TLS?

    /// Any librdkafka property by name, applied after (and overriding) the typed options.
    public var properties: [String: String] = [:]

    /// Creates a configuration for the given bootstrap brokers.
    public init(bootstrapServers: [String], clientID: String? = nil, groupID: String? = nil) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.groupID = groupID
    }

    /// `acks` values.
    public enum Acks: String, Sendable, Hashable {
        /// Every in-sync replica (`acks=all`), required by idempotence.
        case all = "all"
        /// The partition leader only (`acks=1`).
        case leader = "1"
        /// No acknowledgement (`acks=0`).
        case none = "0"
    }

    /// `compression.type` values.
    public enum Compression: String, Sendable, Hashable {
        case none, gzip, snappy, lz4, zstd
    }

    /// `auto.offset.reset` values.
    public enum AutoOffsetReset: String, Sendable, Hashable {
        /// Start at the oldest retained message.
        case earliest
        /// Start after the newest message.
        case latest
        /// Fail the partition with an error.
        case error
    }

    /// `partition.assignment.strategy` values.
    public enum PartitionAssignment: String, Sendable, Hashable {
        case range, roundrobin
        /// Incremental (cooperative) rebalancing: partitions that stay are never paused.
        case cooperativeSticky = "cooperative-sticky"
    }

    /// `security.protocol` values.
    public enum SecurityProtocol: String, Sendable, Hashable {
        case plaintext, ssl
        case saslPlaintext = "sasl_plaintext"
        case saslSSL = "sasl_ssl"
    }

    /// SASL settings.
    public struct SASL: Sendable, Hashable {
        /// `sasl.mechanisms`, e.g. `"PLAIN"`, `"SCRAM-SHA-256"`, `"SCRAM-SHA-512"`.
        public var mechanism: String
        /// `sasl.username`.
        public var username: String?
        /// `sasl.password`.
        public var password: String?
        /// Creates SASL settings.
        public init(mechanism: String, username: String? = nil, password: String? = nil) {
            self.mechanism = mechanism
            self.username = username
            self.password = password
        }
    }

    /// TLS settings (paths to PEM files).
    public struct TLS: Sendable, Hashable {
        /// `ssl.ca.location`: CA certificate(s) to verify the broker with.
        public var caLocation: String?
        /// `ssl.certificate.location`: the client certificate (mutual TLS).
        public var certificateLocation: String?
        /// `ssl.key.location`: the client private key.
        public var keyLocation: String?
        /// `ssl.key.password`.
        public var keyPassword: String?
        /// `ssl.endpoint.identification.algorithm`: verify the broker's host name (default on).
        public var verifyHostname: Bool = true
        /// Creates TLS settings.
        public init(
            caLocation: String? = nil, certificateLocation: String? = nil,
            keyLocation: String? = nil, keyPassword: String? = nil, verifyHostname: Bool = true
        ) {
            self.caLocation = caLocation
            self.certificateLocation = certificateLocation
            self.keyLocation = keyLocation
            self.keyPassword = keyPassword
            self.verifyHostname = verifyHostname
        }
    }
}

extension KafkaConfiguration {
    /// The client kind a property list is made for: each gets only the properties it uses,
    /// so librdkafka does not warn about ignored producer or consumer properties.
    enum Role: String { case producer, consumer, admin }

    /// The librdkafka properties for `role`, in the order they are applied.
    func librdkafkaProperties(for role: Role) -> [(name: String, value: String)] {
        var list: [(String, String)] = [("bootstrap.servers", bootstrapServers.joined(separator: ","))]
        if let clientID { list.append(("client.id", clientID)) }
        if let messageMaxBytes { list.append(("message.max.bytes", String(messageMaxBytes))) }
        list.append(("security.protocol", securityProtocol.rawValue))
        if let sasl {
            list.append(("sasl.mechanisms", sasl.mechanism))
            if let username = sasl.username { list.append(("sasl.username", username)) }
            if let password = sasl.password { list.append(("sasl.password", password)) }
        }
        if let tls {
            if let value = tls.caLocation { list.append(("ssl.ca.location", value)) }
            if let value = tls.certificateLocation { list.append(("ssl.certificate.location", value)) }
            if let value = tls.keyLocation { list.append(("ssl.key.location", value)) }
            if let value = tls.keyPassword { list.append(("ssl.key.password", value)) }
            list.append(("ssl.endpoint.identification.algorithm", tls.verifyHostname ? "https" : "none"))
        }
        switch role {
        case .producer:
            list.append(("acks", acks.rawValue))
            list.append(("enable.idempotence", idempotence ? "true" : "false"))
            list.append(("compression.type", compression.rawValue))
            if let linger { list.append(("linger.ms", Self.milliseconds(linger))) }
            if let deliveryTimeout { list.append(("message.timeout.ms", Self.milliseconds(deliveryTimeout))) }
        case .consumer:
            if let groupID { list.append(("group.id", groupID)) }
            list.append(("auto.offset.reset", autoOffsetReset.rawValue))
            if let partitionAssignment { list.append(("partition.assignment.strategy", partitionAssignment.rawValue)) }
            if let sessionTimeout { list.append(("session.timeout.ms", Self.milliseconds(sessionTimeout))) }
            if let heartbeatInterval { list.append(("heartbeat.interval.ms", Self.milliseconds(heartbeatInterval))) }
            if let maxPollInterval { list.append(("max.poll.interval.ms", Self.milliseconds(maxPollInterval))) }
            if let autoCommitInterval { list.append(("auto.commit.interval.ms", Self.milliseconds(autoCommitInterval))) }
            if let fetchWait { list.append(("fetch.wait.max.ms", Self.milliseconds(fetchWait))) }
            // librdkafka pauses fetching for 1 s (its default) whenever its local queue passed
            // `queued.min.messages` (100,000), and looks again only then; a consumer slightly
            // slower than the network stalls for most of that second once it drained the queue.
            // 10 ms: at a million small messages a second the queue drains within 100 ms, and a
            // pause of 100 ms still starved it (bench-kafka: the C consumer and ours were both
            // faster at 10 ms). A paused partition costs one timer wake-up per pause, nothing on
            // the network. Overridable through `properties`.
            list.append(("fetch.queue.backoff.ms", "10"))
        case .admin:
            // The admin is a producer-type client, whose metadata requests librdkafka lets create a
            // missing topic by default: asking for a topic's watermarks must not create it.
            list.append(("allow.auto.create.topics", "false"))
        }
        for name in properties.keys.sorted() { list.append((name, properties[name] ?? "")) }
        return list
    }

    /// A duration as whole milliseconds, the unit of librdkafka's time properties.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
