import Kafka
import Testing

@Suite("Configuration errors")
struct ConfigurationTests {
    let config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9"])

    @Test func unknownPropertyIsNamedWithLibrdkafkasReason() throws {
        var config = self.config
        config.properties["no.such.property"] = "1"
        let error = try #require(throws: KafkaError.self) { try KafkaProducer(configuration: config, logger: TestBroker.logger) }
        #expect(error.property == "no.such.property")
        #expect(error.message.contains("No such configuration property"), "\(error.message)")
        #expect(error.operation == "configure")
        #expect("\(error)".contains("no.such.property"))
    }

    @Test func invalidValueIsNamedWithLibrdkafkasReason() throws {
        var config = self.config
        config.groupID = "g"
        config.properties["session.timeout.ms"] = "soon"
        let error = try #require(throws: KafkaError.self) { try KafkaConsumer(configuration: config, logger: TestBroker.logger) }
        #expect(error.property == "session.timeout.ms")
        #expect(error.message.contains("Invalid value"), "\(error.message)")
    }

    @Test func outOfRangeTypedOptionIsNamed() throws {
        var config = self.config
        config.linger = .seconds(1_000_000)
        let error = try #require(throws: KafkaError.self) { try KafkaProducer(configuration: config, logger: TestBroker.logger) }
        #expect(error.property == "linger.ms")
    }

    @Test func conflictingPropertiesFailAtConstruction() throws {
        var config = self.config
        config.acks = .leader  // idempotence (on by default) needs acks=all
        let error = try #require(throws: KafkaError.self) { try KafkaProducer(configuration: config, logger: TestBroker.logger) }
        #expect(error.message.contains("acks"), "\(error.message)")
    }

    @Test func consumerNeedsAGroup() throws {
        let error = try #require(throws: KafkaError.self) { try KafkaConsumer(configuration: config, logger: TestBroker.logger) }
        #expect(error.property == "group.id")
    }

    @Test func consumerRefusesAutomaticOffsetStore() throws {
        var config = self.config
        config.groupID = "g"
        config.properties["enable.auto.offset.store"] = "true"
        let error = try #require(throws: KafkaError.self) { try KafkaConsumer(configuration: config, logger: TestBroker.logger) }
        #expect(error.property == "enable.auto.offset.store")
    }

    @Test func validConfigurationCreatesClientsWithoutABroker() throws {
        var config = self.config
        config.compression = .zstd
        config.linger = .milliseconds(5)
        config.groupID = "g"
        config.partitionAssignment = .cooperativeSticky
        _ = try KafkaProducer(configuration: config, logger: TestBroker.logger)
        _ = try KafkaConsumer(configuration: config, logger: TestBroker.logger)
        _ = try KafkaAdmin(configuration: config, logger: TestBroker.logger)
    }
}
