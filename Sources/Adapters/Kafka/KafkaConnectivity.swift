import CRdKafka
import Logging

/// A broker of the cluster, as its metadata lists it.
public struct KafkaBrokerInfo: Sendable, Hashable {
    /// The broker id.
    public var id: Int32
    /// The advertised host.
    public var host: String
    /// The advertised port.
    public var port: Int
    /// `host:port`.
    public var address: String { "\(host):\(port)" }
}

/// What a successful ``KafkaAdmin/checkConnectivity(_:timeout:logger:)`` learned.
public struct KafkaClusterInfo: Sendable, Hashable {
    /// The cluster's brokers, by id.
    public var brokers: [KafkaBrokerInfo]
    /// The broker that answered, as librdkafka names it (e.g. `"127.0.0.1:9092/1"`).
    public var answeredBy: String
    /// From the start of the check to the answer (connection, TLS and SASL handshakes included).
    public var roundTrip: Duration
}

extension KafkaError.Code {
    /// A TLS problem: handshake failure, untrusted certificate, TLS against a plaintext listener.
    public static let ssl = KafkaError.Code(RD_KAFKA_RESP_ERR__SSL)
    /// SASL authentication failed (wrong credentials, mechanism not enabled on the listener).
    public static let authentication = KafkaError.Code(RD_KAFKA_RESP_ERR__AUTHENTICATION)
    /// A broker connection failed or was closed (e.g. connection refused).
    public static let transport = KafkaError.Code(RD_KAFKA_RESP_ERR__TRANSPORT)
    /// A broker's host name did not resolve.
    public static let resolve = KafkaError.Code(RD_KAFKA_RESP_ERR__RESOLVE)
    /// No broker is reachable.
    public static let allBrokersDown = KafkaError.Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
}

extension KafkaAdmin {
    /// Connects to the cluster once and fails fast, with a typed error that names the broker
    /// and the cause, instead of letting librdkafka retry silently forever.
    ///
    /// librdkafka keeps reconnecting on every failure and only logs why. This check makes a
    /// short-lived client, asks for cluster metadata, and reads what librdkafka reports
    /// meanwhile: a TLS or SASL failure ends it at once; an unreachable broker ends it at
    /// `timeout` with the last reason seen. A TLS handshake that gets no answer (TLS against a
    /// plaintext listener) is cut after a third of the timeout (at least 1 s) by
    /// `socket.connection.setup.timeout.ms`, unless ``KafkaConfiguration/properties`` set it.
    ///
    /// ```swift
    /// let configuration = try KafkaConfiguration.fromEnvironment(environment, clientID: "orders")
    /// let cluster = try await KafkaAdmin.checkConnectivity(configuration, timeout: .seconds(10))
    /// ```
    ///
    /// - Returns: the brokers and the time the answer took.
    /// - Throws: ``KafkaError`` with `operation` `"check connectivity"` and code
    ///   ``KafkaError/Code/ssl`` (e.g. "TLS handshake failed against 127.0.0.1:9092: the listener
    ///   may be plaintext …"), ``KafkaError/Code/authentication``, ``KafkaError/Code/transport``
    ///   or ``KafkaError/Code/resolve`` (the broker is unreachable), ``KafkaError/Code/timedOut``
    ///   (no answer and no reason); or a configuration error (`operation` `"configure"`).
    public static func checkConnectivity(
        _ configuration: KafkaConfiguration, timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "kafka.connectivity")
    ) async throws(KafkaError) -> KafkaClusterInfo {
        let timeoutMilliseconds = max(Int64(KafkaConfiguration.milliseconds(timeout)) ?? 10_000, 1)
        var properties = configuration.librdkafkaProperties(for: .admin)
        if configuration.properties["socket.connection.setup.timeout.ms"] == nil {
            let setup = min(max(timeoutMilliseconds / 3, 1_000), 300_000)
            properties.insert(("socket.connection.setup.timeout.ms", String(setup)), at: 1)
        }
        let client = try RdClient(role: .admin, properties: properties, logger: logger, recordDiagnostics: true)
        let servers = configuration.bootstrapServers
        let result = await DedicatedThread.run(name: "kafka-connectivity") {
            let result = ConnectivityProbe.run(client, bootstrapServers: servers, timeoutMilliseconds: timeoutMilliseconds)
            // Destroying waits for librdkafka's threads (a connection may be mid-handshake):
            // the answer does not wait for it.
            DedicatedThread.start(name: "kafka-connectivity-close") { client.destroy() }
            return result
        }
        return try result.get()
    }
}
