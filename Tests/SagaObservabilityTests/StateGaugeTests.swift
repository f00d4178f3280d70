import Foundation
import Kafka
import Logging
import SagaCore
import SagaKafka
import SagaObservability
import SagaTestSupport
import Testing

/// The gauges of state the process does not hold itself: sagas by status (from the store) and
/// dead-letter depth (from the broker).
@Suite("Saga instance and dead-letter depth gauges through the broker", .serialized)
struct StateGaugeTests {
    @Test("saga_instances counts the store's sagas by type and status, every status of a registered type included")
    func instances() async throws {
        let world = try await ObservedWorld()
        do {
            try await world.placeOrder("g-ok")
            try await world.placeOrder("g-declined", orderID: "fail-charge")
            #expect(try await world.waitForEnd("g-ok").status == .completed)
            #expect(try await world.waitForEnd("g-declined").status == .compensated)
            let gauges = SagaInstanceGauges(
                store: world.orchestratorStore, sagaTypes: ["order", "not-started-yet"], metrics: world.metrics,
                logger: Logger(label: "test")
            )
            let recorded = try await gauges.record()
            #expect(recorded == ["order", "not-started-yet"])
            #expect(world.sample("saga_instances", [("saga_type", "order"), ("status", "completed")]) == 1)
            #expect(world.sample("saga_instances", [("saga_type", "order"), ("status", "compensated")]) == 1)
            for status in ["running", "compensating", "failed"] {
                #expect(world.sample("saga_instances", [("saga_type", "order"), ("status", status)]) == 0)
                #expect(world.sample("saga_instances", [("saga_type", "not-started-yet"), ("status", status)]) == 0)
            }
            #expect(world.metricsText.contains("# TYPE saga_instances gauge"))
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    @Test("saga_dead_letter_depth is the records a dead-letter topic retains; a missing dead-letter topic is reported, not zero")
    func deadLetterDepth() async throws {
        let world = try await ObservedWorld()
        do {
            let admin = try KafkaAdmin(configuration: world.kafka, logger: Broker.logger)
            let missing = world.prefix + "no-such-topic"
            let gauges = DeadLetterDepthGauges(
                admin: admin, topics: [world.startTopic, missing], metrics: world.metrics, logger: Logger(label: "test")
            )
            var failures = await gauges.record()
            #expect(failures.keys.sorted() == [missing])
            #expect(failures[missing]?.code == .unknownTopicOrPartition)
            #expect(world.sample("saga_dead_letter_depth", [("topic", world.startTopic)]) == 0)
            #expect(world.sample("saga_dead_letter_depth", [("topic", missing)]) == nil)

            for index in 0..<3 {  // undecodable start events: each is dead-lettered
                _ = try await world.producer.send(KafkaMessage(
                    topic: world.startTopic, key: Array("g-poison-\(index)".utf8), value: Array("not json".utf8),
                    headers: [KafkaHeader(name: SagaHeaders.messageID, value: "g-poison-\(index)")]
                ))
            }
            let dlq = DeadLetterRecord.topic(for: world.startTopic)
            _ = try await readRecords(of: dlq, kafka: world.kafka) { $0.count >= 3 }
            failures = await gauges.record()
            #expect(failures.keys.sorted() == [missing])
            #expect(world.sample("saga_dead_letter_depth", [("topic", world.startTopic)]) == 3)
            #expect(try await gauges.depth(of: world.startTopic) == 3)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }
}
