import Kafka
import Testing

@Suite struct LibrdkafkaVersionTests {
    @Test func loadsTheCurrentLibrdkafkaNotTheSystemOne() {
        // scripts/setup installs Confluent's 2.16 build; Debian's 2.0.2 cannot talk to Tansu.
        #expect(LibrdkafkaVersion.number >= 0x0210_0000, "loaded \(LibrdkafkaVersion.string)")
        #expect(LibrdkafkaVersion.string.hasPrefix("2."))
        #expect(LibrdkafkaVersion.compiledAgainst < LibrdkafkaVersion.number)
    }
}
