@testable import Kafka
import Testing

@Suite("Consumer defaults")
struct ConsumerDefaultsTests {
    @Test func theFetcherLooksAgainSoonAfterItPausedForAFullLocalQueue() {
        var config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9"], groupID: "g")
        let defaults = config.librdkafkaProperties(for: .consumer)
        #expect(defaults.last { $0.0 == "fetch.queue.backoff.ms" }?.1 == "10")
        #expect(!config.librdkafkaProperties(for: .producer).contains { $0.0 == "fetch.queue.backoff.ms" })

        config.properties["fetch.queue.backoff.ms"] = "250"
        let overridden = config.librdkafkaProperties(for: .consumer).filter { $0.0 == "fetch.queue.backoff.ms" }
        #expect(overridden.last?.1 == "250", "the user's value is set after the default, so it wins")
    }
}
