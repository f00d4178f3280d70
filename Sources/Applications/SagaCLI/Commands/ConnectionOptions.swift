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

    @Option(name: .customLong("ssl-certificate-location"),
        help: "Client certificate file for mutual TLS (env KAFKA_SSL_CERTIFICATE_LOCATION).")
    var sslCertificateLocation: String?

    @Option(name: .customLong("ssl-key-location"), help: "Client private key file (env KAFKA_SSL_KEY_LOCATION).")
    var sslKeyLocation: String?

    @Option(name: .customLong("ssl-key-password"),
        help: "Client key password; prefer env KAFKA_SSL_KEY_PASSWORD (a command line is visible to others).")
    var sslKeyPassword: String?

    @Option(name: .customLong("ssl-endpoint-identification"),
        help: "https (verify the broker's host name) or none (env KAFKA_SSL_ENDPOINT_IDENTIFICATION, else https).")
    var sslEndpointIdentification: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka property, repeatable.", valueName: "key=value"))
    var properties: [String] = []

    /// The configuration these options describe, read against `environment`.
    ///
    /// The flags given replace their `KAFKA_*` variables, then
    /// ``KafkaConfiguration/fromEnvironment(_:clientID:)`` reads and validates the result (one
    /// implementation for sagactl and the servers); `-X` properties apply last and the
    /// configuration is validated again with them.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KafkaConfiguration {
        var environment = environment
        let flags: [(variable: String, value: String?)] = [
            ("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers), ("KAFKA_SECURITY_PROTOCOL", securityProtocol),
            ("KAFKA_SASL_MECHANISM", saslMechanism), ("KAFKA_SASL_USERNAME", saslUsername),
            ("KAFKA_SASL_PASSWORD", saslPassword), ("KAFKA_SSL_CA_LOCATION", sslCALocation),
            ("KAFKA_SSL_CERTIFICATE_LOCATION", sslCertificateLocation), ("KAFKA_SSL_KEY_LOCATION", sslKeyLocation),
            ("KAFKA_SSL_KEY_PASSWORD", sslKeyPassword), ("KAFKA_SSL_ENDPOINT_IDENTIFICATION", sslEndpointIdentification),
        ]
        for flag in flags { if let value = flag.value { environment[flag.variable] = value } }
        do {
            var configuration = try KafkaConfiguration.fromEnvironment(environment, clientID: "sagactl")
            for property in properties {
                guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                    throw CLIError.input("-X \(property): expected key=value")
                }
                configuration.properties[String(property[..<equals])] = String(property[property.index(after: equals)...])
            }
            if !properties.isEmpty { try configuration.validate() }
            return configuration
        } catch let error as KafkaError {
            throw CLIError.input(Self.explain(error))
        }
    }

    /// A configuration error in the words of the command line: the flag next to the variable.
    static func explain(_ error: KafkaError) -> String {
        var message = error.message
        if error.property == "KAFKA_BOOTSTRAP_SERVERS" {
            message = "no broker: give --bootstrap-servers or set KAFKA_BOOTSTRAP_SERVERS"
        }
        return "invalid Kafka configuration: \(message)"
    }
}
