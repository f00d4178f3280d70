import Foundation
import Kafka
import SagaCore
import SagaObservability
import SagaTestSupport
import Testing

@Suite("Saga metrics through the broker", .serialized)
struct SagaMetricsTests {
    @Test("a completed and a compensated saga are counted once each, with step latencies, processed messages and consumer lag")
    func completedAndCompensated() async throws {
        let world = try await ObservedWorld()
        do {
            try await world.placeOrder("m-ok")
            try await world.placeOrder("m-ok")  // a redelivered start event: the same message id
            try await world.placeOrder("m-declined", orderID: "fail-charge")
            #expect(try await world.waitForEnd("m-ok").status == .completed)
            #expect(try await world.waitForEnd("m-declined").status == .compensated)
            // The counters are recorded right after the commit the store shows; give that a moment.
            try await eventually("end counters") {
                world.sample("saga_ended_total", [("saga_type", "order"), ("outcome", "compensated")]) == 1
                    && world.sample("saga_ended_total", [("saga_type", "order"), ("outcome", "completed")]) == 1
            }
            #expect(world.sample("saga_started_total", [("saga_type", "order")]) == 2)
            for outcome in ["completed", "compensated"] {
                #expect(world.sample("saga_duration_seconds_count", [("saga_type", "order"), ("outcome", outcome)]) == 1)
                let total = try #require(world.sample("saga_duration_seconds_sum", [("saga_type", "order"), ("outcome", outcome)]))
                #expect(total > 0 && total < 60)
            }
            #expect(world.sample("saga_ended_total", [("saga_type", "order"), ("outcome", "failed")]) == nil)
            func steps(_ step: String, _ outcome: String) -> Double? {
                world.sample("saga_step_duration_seconds_count", [("saga_type", "order"), ("step", step), ("outcome", outcome)])
            }
            #expect(steps("reserveStock", "success") == 2)
            #expect(steps("authorizeCard", "success") == 2)
            #expect(steps("chargeCard", "success") == 1)
            #expect(steps("chargeCard", "failure") == 1)
            #expect(steps("shipOrder", "success") == 1)
            #expect(steps("authorizeCard:compensate", "success") == 1)
            #expect(steps("reserveStock:compensate", "success") == 1)
            let sum = try #require(world.sample("saga_step_duration_seconds_sum", [("saga_type", "order"), ("step", "shipOrder"), ("outcome", "success")]))
            #expect(sum > 0 && sum < 30)
            // 4 + 5 replies (two sagas: 4 steps; 3 steps + 2 compensations) reach the orchestrator, 9 commands the participants.
            #expect(world.sample("saga_messages_processed_total", [("service", "saga-orchestrator"), ("topic", world.replies)]) == 9)
            let commands = world.commandTopics.compactMap {
                world.sample("saga_messages_processed_total", [("service", "test-participants"), ("topic", $0)])
            }.reduce(0, +)
            #expect(commands == 9)
            #expect(world.sample("saga_messages_processed_total", [("service", "saga-orchestrator"), ("topic", world.startTopic)]) == 3)
            // Every message went through a lane's batch: 12 to the orchestrator (one a duplicate), 9 to the participants.
            #expect(world.sample("saga_consumer_batch_messages_sum", [("service", "saga-orchestrator")]) == 12)
            #expect(world.sample("saga_consumer_batch_messages_sum", [("service", "test-participants")]) == 9)
            let batches = try #require(world.sample("saga_consumer_batch_seconds_count", [("service", "saga-orchestrator")]))
            #expect(batches >= 1 && batches <= 12)
            let busy = try #require(world.sample("saga_consumer_batch_seconds_sum", [("service", "saga-orchestrator")]))
            #expect(busy > 0 && busy < 60)
            // Everything is processed: the lag gauges of both groups settle at 0 (partitions whose
            // position or high watermark the consumer does not know yet, e.g. never fetched from, are left out).
            var lagLines: [Substring] = []
            do {
                try await eventually("lag gauges") {
                    lagLines = world.metricsText.split(separator: "\n").filter { $0.hasPrefix("kafka_consumer_lag{") }
                    let orchestrator = lagLines.filter {
                        $0.contains("group=\"\(world.prefix)orchestrator\"") && $0.contains("topic=\"\(world.replies)\"")
                    }
                    let participants = lagLines.filter { $0.contains("group=\"\(world.prefix)participants\"") }
                    return !orchestrator.isEmpty && !participants.isEmpty && lagLines.allSatisfy { $0.split(separator: " ").last.flatMap { Double($0) } == 0 }
                }
            } catch {
                Issue.record("lag lines: \(lagLines)")
                throw error
            }
            #expect(world.metricsText.contains("# TYPE saga_step_duration_seconds histogram"))
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    @Test("a dead-lettered start event increments the dead-letter counter, keeps its trace context and is logged with its ids")
    func deadLetter() async throws {
        let world = try await ObservedWorld()
        do {
            let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            _ = try await world.producer.send(KafkaMessage(
                topic: world.startTopic, key: Array("m-poison".utf8), value: Array("not json".utf8),
                headers: [
                    KafkaHeader(name: SagaHeaders.messageID, value: "poison-1"),
                    KafkaHeader(name: SagaHeaders.sagaID, value: "m-poison"),
                    KafkaHeader(name: SagaHeaders.traceparent, value: traceparent),
                    KafkaHeader(name: SagaHeaders.tracestate, value: "vendor=1"),
                ]
            ))
            let dlq = DeadLetterRecord.topic(for: world.startTopic)
            let records = try await readRecords(of: dlq, kafka: world.kafka) { $0.count >= 1 }
            #expect(records.count == 1)
            #expect(records.first?.headers.string(SagaHeaders.traceparent) == traceparent)
            #expect(records.first?.headers.string(SagaHeaders.tracestate) == "vendor=1")
            try await eventually("dead-letter counter") {
                world.sample(
                    "saga_dead_letters_total",
                    [("service", "saga-orchestrator"), ("topic", world.startTopic), ("error_kind", "invalid")]
                ) == 1
            }
            let lines = try world.logs.objects().filter { $0["message"] as? String == "message dead-lettered" }
            let line = try #require(lines.first)
            #expect(line["message_id"] as? String == "poison-1")
            #expect(line["saga_id"] as? String == "m-poison")
            #expect(line["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(line["level"] as? String == "error")
            #expect(line["label"] as? String == "saga.test")
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }
}
