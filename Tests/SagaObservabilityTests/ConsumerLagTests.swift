import Foundation
import Kafka
import Logging
import Prometheus
import SagaObservability
import SagaTestSupport
import Testing

@Suite("Kafka consumer lag through the broker", .serialized)
struct ConsumerLagTests {
    @Test("lag is the high watermark minus the offset after the last processed message, and is reported as a gauge")
    func lag() async throws {
        let kafka = try Broker.configuration()
        let topic = "lag-\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try KafkaAdmin(configuration: kafka, logger: Broker.logger)
        try await admin.createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
        let producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        for index in 0..<10 {
            _ = try await producer.send(KafkaMessage(topic: topic, partition: 0, value: "m\(index)"))
        }
        await producer.shutdown(timeout: .seconds(5))
        var config = kafka
        config.groupID = "lag-group-\(UUID().uuidString.prefix(8))"
        let consumer = try KafkaConsumer(configuration: config, logger: Broker.logger)
        try consumer.subscribe(to: [topic])
        var processed = 0
        for try await message in consumer.messages {
            try consumer.markProcessed(message)
            processed += 1
            if processed == 3 { break }
        }
        let partition = TopicPartition(topic: topic, partition: 0)
        var figures: [KafkaPartitionLag] = []
        try await eventually("lag of 7") {
            figures = consumer.lag()
            return figures == [KafkaPartitionLag(partition: partition, position: 3, highWatermark: 10)]
        }
        #expect(figures.first?.lag == 7)

        let registry = PrometheusCollectorRegistry()
        let reporter = Task { await consumer.reportLag(group: "g", every: .milliseconds(50), factory: MetricsBootstrap.makeFactory(registry: registry)) }
        try await eventually("lag gauge") {
            registry.emitToString().contains("kafka_consumer_lag{group=\"g\",topic=\"\(topic)\",partition=\"0\"} 7.0")
        }
        reporter.cancel()
        await reporter.value
        await consumer.close()
        #expect(consumer.lag().isEmpty)
    }
}
