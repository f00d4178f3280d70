import Kafka
@testable import SagaCLI
import Testing

@Suite("Connection options")
struct ConnectionOptionsTests {
    @Test func flagsOverrideTheEnvironment() throws {
        let environment = [
            "KAFKA_BOOTSTRAP_SERVERS": "env:9092", "KAFKA_SECURITY_PROTOCOL": "sasl_plaintext",
            "KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "env-user", "KAFKA_SASL_PASSWORD": "env-password",
        ]
        let options = try ConnectionOptions.parse(["--bootstrap-servers", "flag:9092", "--sasl-username", "flag-user"])
        let config = try options.configuration(environment: environment)
        #expect(config.bootstrapServers == ["flag:9092"])
        #expect(config.securityProtocol == .saslPlaintext)
        #expect(config.sasl == KafkaConfiguration.SASL(mechanism: "PLAIN", username: "flag-user", password: "env-password"))
        #expect(config.clientID == "sagactl")
    }

    @Test func propertiesAreValidatedWithTheRest() throws {
        let options = try ConnectionOptions.parse(["--bootstrap-servers", "b:9092", "-X", "sasl.mechanisms=PLAIN"])
        let error = try #require(throws: CLIError.self) { try options.configuration(environment: [:]) }
        #expect(error.message.contains("invalid Kafka configuration: SASL mechanism PLAIN is set but security.protocol is plaintext"),
                "\(error.message)")
    }

    @Test func missingBrokerNamesTheFlagAndTheVariable() throws {
        let error = try #require(throws: CLIError.self) { try ConnectionOptions.parse([]).configuration(environment: [:]) }
        #expect(error.message.contains("--bootstrap-servers") && error.message.contains("KAFKA_BOOTSTRAP_SERVERS"))
    }
}
