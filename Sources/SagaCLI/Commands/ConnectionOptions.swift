import ArgumentParser
import Foundation
import Kafka

/// The broker connection options every Kafka-touching command takes (`@OptionGroup`).
///
/// Values given on the command line win over the environment. The SASL password is best given
/// through `KAFKA_SASL_PASSWORD`: a command line is visible to other users of the machine. The
/// password is never printed.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-servers"),
        help: "Comma-separated host:port list (default: env KAFKA_BOOTSTRAP_SERVERS).")
    var bootstrapServers: String?

    @Option(name: .customLong("security-protocol"),
        help: "plaintext, ssl, sasl_plaintext or sasl_ssl (default: env KAFKA_SECURITY_PROTOCOL, else plaintext).")
    var securityProtocol: String?

    @Option(name: .customLong("sasl-mechanism"), help: "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 … (env KAFKA_SASL_MECHANISM).")
    var saslMechanism: String?

    @Option(name: .customLong("sasl-username"), help: "SASL user name (env KAFKA_SASL_USERNAME).")
    var saslUsername: String?

    @Option(name: .customLong("sasl-password"),
        help: "SASL password; prefer env KAFKA_SASL_PASSWORD (a command line is visible to others).")
    var saslPassword: String?

    @Option(name: .customLong("ssl-ca-location"), help: "CA certificate file (env KAFKA_SSL_CA_LOCATION).")
    var sslCALocation: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka property, repeatable.", valueName: "key=value"))
    var properties: [String] = []

    /// The configuration these options describe, read against `environment`.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KafkaConfiguration {
        guard let servers = bootstrapServers ?? environment["KAFKA_BOOTSTRAP_SERVERS"], !servers.isEmpty else {
            throw CLIError.input("no broker: give --bootstrap-servers or set KAFKA_BOOTSTRAP_SERVERS")
        }
        var configuration = KafkaConfiguration(
            bootstrapServers: servers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            clientID: "sagactl"
        )
        if let text = securityProtocol ?? environment["KAFKA_SECURITY_PROTOCOL"] {
            guard let value = KafkaConfiguration.SecurityProtocol(rawValue: text.lowercased()) else {
                throw CLIError.input("--security-protocol \(text): expected plaintext, ssl, sasl_plaintext or sasl_ssl")
            }
            configuration.securityProtocol = value
        }
        if let mechanism = saslMechanism ?? environment["KAFKA_SASL_MECHANISM"] {
            configuration.sasl = KafkaConfiguration.SASL(
                mechanism: mechanism,
                username: saslUsername ?? environment["KAFKA_SASL_USERNAME"],
                password: saslPassword ?? environment["KAFKA_SASL_PASSWORD"]
            )
        } else if saslUsername != nil || saslPassword != nil {
            throw CLIError.input("--sasl-username/--sasl-password need --sasl-mechanism (or KAFKA_SASL_MECHANISM)")
        }
        if let ca = sslCALocation ?? environment["KAFKA_SSL_CA_LOCATION"] {
            configuration.tls = KafkaConfiguration.TLS(caLocation: ca)
        }
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw CLIError.input("-X \(property): expected key=value")
            }
            configuration.properties[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return configuration
    }
}
