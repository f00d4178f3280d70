import Foundation
import Kafka
import Logging
import Synchronization
import Testing

/// Temporary PEM-named files (their content does not matter to the configuration checks).
struct TemporaryFiles: ~Copyable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String, _ contents: String = "-----BEGIN CERTIFICATE-----\n") throws -> String {
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func missing(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

@Suite("Configuration from the environment")
struct ConfigurationEnvironmentTests {
    let base = ["KAFKA_BOOTSTRAP_SERVERS": "b1:9093, b2:9093"]

    func environment(_ extra: [String: String]) -> [String: String] { base.merging(extra) { $1 } }

    func configurationError(_ extra: [String: String]) throws -> KafkaError {
        try #require(throws: KafkaError.self) { try KafkaConfiguration.fromEnvironment(environment(extra), clientID: "t") }
    }

    @Test func namesTheVariablesOfTheSettingsTable() {
        #expect(KafkaConfiguration.environmentVariableNames == [
            "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME",
            "KAFKA_SASL_PASSWORD", "KAFKA_SSL_CA_LOCATION", "KAFKA_SSL_CERTIFICATE_LOCATION", "KAFKA_SSL_KEY_LOCATION",
            "KAFKA_SSL_KEY_PASSWORD", "KAFKA_SSL_ENDPOINT_IDENTIFICATION", "KAFKA_FETCH_WAIT_MAX_MS", "KAFKA_LINGER_MS",
        ])
    }

    @Test func plaintextDefaults() throws {
        let config = try KafkaConfiguration.fromEnvironment(base, clientID: "orders")
        #expect(config.bootstrapServers == ["b1:9093", "b2:9093"])
        #expect(config.clientID == "orders")
        #expect(config.securityProtocol == .plaintext)
        #expect(config.sasl == nil && config.tls == nil)
    }

    @Test func readsEveryVariable() throws {
        let files = try TemporaryFiles()
        let ca = try files.file("ca.pem"), cert = try files.file("client.pem"), key = try files.file("client.key")
        let config = try KafkaConfiguration.fromEnvironment(environment([
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "scram-sha-512",
            "KAFKA_SASL_USERNAME": "svc", "KAFKA_SASL_PASSWORD": "pw",
            "KAFKA_SSL_CA_LOCATION": ca, "KAFKA_SSL_CERTIFICATE_LOCATION": cert, "KAFKA_SSL_KEY_LOCATION": key,
            "KAFKA_SSL_KEY_PASSWORD": "kpw", "KAFKA_SSL_ENDPOINT_IDENTIFICATION": "none",
        ]), clientID: nil)
        #expect(config.securityProtocol == .saslSSL)
        #expect(config.sasl == KafkaConfiguration.SASL(mechanism: "SCRAM-SHA-512", username: "svc", password: "pw"))
        #expect(config.tls == KafkaConfiguration.TLS(
            caLocation: ca, certificateLocation: cert, keyLocation: key, keyPassword: "kpw", verifyHostname: false))
    }

    @Test func emptyValuesCountAsUnset() throws {
        let config = try KafkaConfiguration.fromEnvironment(environment([
            "KAFKA_SECURITY_PROTOCOL": "", "KAFKA_SASL_MECHANISM": "", "KAFKA_SSL_CA_LOCATION": " ",
        ]), clientID: nil)
        #expect(config.securityProtocol == .plaintext && config.sasl == nil && config.tls == nil)
    }

    @Test func missingBootstrapServersIsNamed() throws {
        let error = try #require(throws: KafkaError.self) {
            try KafkaConfiguration.fromEnvironment(["KAFKA_BOOTSTRAP_SERVERS": ""], clientID: nil)
        }
        #expect(error.property == "KAFKA_BOOTSTRAP_SERVERS")
        #expect(error.operation == "configure")
    }

    @Test func unknownSecurityProtocolFails() throws {
        let error = try configurationError(["KAFKA_SECURITY_PROTOCOL": "tls"])
        #expect(error.property == "KAFKA_SECURITY_PROTOCOL")
        #expect(error.message.contains("\"tls\"") && error.message.contains("plaintext, ssl, sasl_plaintext or sasl_ssl"))
    }

    @Test func unknownMechanismFailsAtConfiguration() throws {
        let error = try configurationError([
            "KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-1",
            "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p",
        ])
        #expect(error.property == "sasl.mechanisms")
        #expect(error.message.contains("unknown SASL mechanism \"SCRAM-SHA-1\""))
        #expect(error.message.contains("KAFKA_SASL_MECHANISM"))
    }

    @Test func mechanismWithoutSASLProtocolFails() throws {
        let error = try configurationError(["KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"])
        #expect(error.property == "security.protocol")
        #expect(error.message.contains("does not use SASL"))
    }

    @Test func saslProtocolWithoutMechanismFails() throws {
        let error = try configurationError(["KAFKA_SECURITY_PROTOCOL": "sasl_plaintext"])
        #expect(error.property == "sasl.mechanisms")
    }

    @Test func credentialsWithoutMechanismFail() throws {
        let error = try configurationError(["KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "secret-value"])
        #expect(error.property == "KAFKA_SASL_MECHANISM")
        #expect(!error.message.contains("secret-value"))
    }

    @Test(arguments: ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"])
    func missingCredentialFails(_ missing: String) throws {
        var extra = ["KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
                     "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"]
        extra[missing] = nil
        let error = try configurationError(extra)
        #expect(error.message.contains(missing), "\(error)")
    }

    @Test func missingCAFileFailsAtConfiguration() throws {
        let files = try TemporaryFiles()
        let path = files.missing("absent-ca.pem")
        let error = try configurationError(["KAFKA_SECURITY_PROTOCOL": "ssl", "KAFKA_SSL_CA_LOCATION": path])
        #expect(error.property == "ssl.ca.location")
        #expect(error.message.contains("the CA file \(path) does not exist"), "\(error.message)")
    }

    @Test(.enabled(if: getuid() != 0, "root reads every file: the permission check cannot fail as root"))
    func unreadableKeyFileFails() throws {
        let files = try TemporaryFiles()
        let cert = try files.file("c.pem"), key = try files.file("k.pem")
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: key)
        let error = try configurationError([
            "KAFKA_SECURITY_PROTOCOL": "ssl", "KAFKA_SSL_CERTIFICATE_LOCATION": cert, "KAFKA_SSL_KEY_LOCATION": key,
        ])
        #expect(error.property == "ssl.key.location")
        #expect(error.message.contains("not readable"))
    }

    @Test func keyWithoutCertificateFails() throws {
        let files = try TemporaryFiles()
        let error = try configurationError(["KAFKA_SECURITY_PROTOCOL": "ssl", "KAFKA_SSL_KEY_LOCATION": try files.file("k.pem")])
        #expect(error.property == "ssl.certificate.location")
        #expect(error.message.contains("needs both"))
    }

    @Test func tlsFilesWithPlaintextFail() throws {
        let files = try TemporaryFiles()
        let error = try configurationError(["KAFKA_SSL_CA_LOCATION": try files.file("ca.pem")])
        #expect(error.property == "ssl.ca.location")
        #expect(error.message.contains("does not use TLS"))
    }

    @Test func unknownEndpointIdentificationFails() throws {
        let error = try configurationError(["KAFKA_SECURITY_PROTOCOL": "ssl", "KAFKA_SSL_ENDPOINT_IDENTIFICATION": "strict"])
        #expect(error.property == "KAFKA_SSL_ENDPOINT_IDENTIFICATION")
    }

    @Test func fetchWaitIsTheConsumersAndLibrdkafkasDefaultUnlessSet() throws {
        #expect(try KafkaConfiguration.fromEnvironment(base, clientID: nil).fetchWait == nil)
        let config = try KafkaConfiguration.fromEnvironment(environment(["KAFKA_FETCH_WAIT_MAX_MS": " 10 "]), clientID: nil)
        #expect(config.fetchWait == .milliseconds(10))
        // The consumer is created with it, the producer not (librdkafka would warn about a consumer property on a producer).
        let (consumer, producer) = try createdProperties(config)
        #expect(consumer.contains("fetch.wait.max.ms=10"), "\(consumer)")
        #expect(producer.contains("acks=") && !producer.contains("fetch.wait.max.ms"), "\(producer)")
    }

    @Test(arguments: ["ten", "-1", "300001", "1.5"])
    func invalidFetchWaitFailsNamingTheVariable(_ value: String) throws {
        let error = try configurationError(["KAFKA_FETCH_WAIT_MAX_MS": value])
        #expect(error.property == "KAFKA_FETCH_WAIT_MAX_MS")
        #expect(error.message.contains("0 to 300000"))
    }

    @Test func lingerIsTheProducersAndLibrdkafkasDefaultUnlessSet() throws {
        #expect(try KafkaConfiguration.fromEnvironment(base, clientID: nil).linger == nil)
        let config = try KafkaConfiguration.fromEnvironment(environment(["KAFKA_LINGER_MS": " 20 "]), clientID: nil)
        #expect(config.linger == .milliseconds(20))
        // The producer is created with it, the consumer not (a producer property on a consumer makes librdkafka warn).
        let (consumer, producer) = try createdProperties(config)
        #expect(producer.contains("linger.ms=20"), "\(producer)")
        #expect(consumer.contains("group.id=") && !consumer.contains("linger.ms"), "\(consumer)")
    }

    @Test(arguments: ["five", "-1", "900001", "2.5"])
    func invalidLingerFailsNamingTheVariable(_ value: String) throws {
        let error = try configurationError(["KAFKA_LINGER_MS": value])
        #expect(error.property == "KAFKA_LINGER_MS")
        #expect(error.message.contains("0 to 900000"))
    }

    /// What a consumer (in a group) and a producer created with `config` log of the properties
    /// they were created with.
    private func createdProperties(_ config: KafkaConfiguration) throws -> (consumer: String, producer: String) {
        let consumerLines = LogCapture(), producerLines = LogCapture()
        var consumerConfig = config
        consumerConfig.groupID = "created-properties"
        var logger = Logger(label: "consumer") { _ in consumerLines }
        logger.logLevel = .debug
        _ = try KafkaConsumer(configuration: consumerConfig, logger: logger)
        logger = Logger(label: "producer") { _ in producerLines }
        logger.logLevel = .debug
        _ = try KafkaProducer(configuration: config, logger: logger)
        return (consumerLines.text, producerLines.text)
    }

    @Test func clientsValidateAtCreationIncludingPropertyOverrides() throws {
        var config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9"])
        config.properties["security.protocol"] = "ssl"
        config.properties["ssl.ca.location"] = "/nonexistent/ca.pem"
        let error = try #require(throws: KafkaError.self) { try KafkaAdmin(configuration: config, logger: TestBroker.logger) }
        #expect(error.property == "ssl.ca.location")
        #expect(error.operation == "configure")
    }
}

@Suite("Configuration redaction")
struct ConfigurationRedactionTests {
    static let password = "hunter2-very-secret"

    static func secretConfiguration() -> KafkaConfiguration {
        var config = KafkaConfiguration(bootstrapServers: ["b1:9093"], clientID: "svc")
        config.securityProtocol = .saslSSL
        config.sasl = .init(mechanism: "SCRAM-SHA-512", username: "svc-user", password: password)
        config.tls = .init(caLocation: "ca.pem", keyPassword: password + "-key")
        config.properties["sasl.oauthbearer.client.secret"] = password + "-oauth"
        config.properties["sasl.jaas.config"] = password + "-jaas"
        config.properties["ssl.keystore.password"] = password + "-keystore"
        config.properties["statistics.interval.ms"] = "0"
        return config
    }

    @Test func descriptionsNeverContainASecret() {
        let config = Self.secretConfiguration()
        var dumped = ""
        dump(config, to: &dumped)
        for text in [config.redactedDescription, config.description, config.debugDescription, "\(config)",
                     String(reflecting: config), dumped, "\(config.sasl!)", "\(config.tls!)"] {
            #expect(!text.contains(Self.password), "\(text)")
        }
        #expect(config.redactedDescription.contains("sasl.password=[redacted]"))
        #expect(config.redactedDescription.contains("ssl.key.password=[redacted]"))
        #expect(config.redactedDescription.contains("sasl.username=svc-user"))
        #expect(config.redactedDescription.contains("security.protocol=sasl_ssl"))
        #expect(config.redactedDescription.contains("statistics.interval.ms=0"))
    }

    @Test(arguments: [
        ("sasl.password", true), ("ssl.key.password", true), ("sasl.oauthbearer.client.secret", true),
        ("sasl.jaas.config", true), ("ssl.key.pem", true), ("sasl.oauthbearer.config", true),
        ("sasl.username", false), ("sasl.mechanisms", false), ("ssl.ca.location", false), ("bootstrap.servers", false),
    ])
    func secretProperties(_ name: String, _ secret: Bool) {
        #expect(KafkaConfiguration.isSecretProperty(name) == secret)
    }

    @Test func clientLogsShowTheConfigurationWithoutSecrets() throws {
        let lines = LogCapture()
        var logger = Logger(label: "redaction") { _ in lines }
        logger.logLevel = .debug
        var config = Self.secretConfiguration()
        config.securityProtocol = .saslPlaintext
        config.tls = nil
        config.properties = ["sasl.oauthbearer.client.secret": Self.password]
        _ = try KafkaAdmin(configuration: config, logger: logger)
        let text = lines.text
        #expect(text.contains("sasl.password=[redacted]"), "\(text)")
        #expect(!text.contains(Self.password), "\(text)")
    }
}

/// A log handler that keeps every line (message and metadata) for assertions.
final class LogCapture: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
    }
}
