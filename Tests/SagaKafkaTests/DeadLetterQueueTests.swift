import Foundation
import Kafka
import SagaCore
@testable import SagaKafka
import SagaTestSupport
import Testing

/// ``DeadLetterQueue/replays(of:)`` through the real broker: the original topic is read only
/// where replays of the letters the DLQ holds can be, never from the start of its retention.
@Suite(.timeLimit(.minutes(3)))
struct DeadLetterQueueTests {
    @Test func replaysAreReadFromAfterTheOldestLettersOriginalOnly() async throws {
        let kafka = try Broker.configuration()
        let source = "t\(UUID().uuidString.prefix(8).lowercased()).payments.commands"
        let dlq = DeadLetterRecord.topic(for: source)
        try await KafkaAdmin.withAdmin(configuration: kafka, logger: Broker.logger) { admin in
            try await admin.createTopics([source, dlq].map { KafkaTopicSpecification(name: $0, partitions: 2) })
        }
        let producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        func produce(_ partition: Int32, _ value: String, replayID: String? = nil) async throws -> KafkaDeliveryReport {
            try await producer.send(KafkaMessage(topic: source, partition: partition, key: Array("k".utf8), value: Array(value.utf8),
                headers: replayID.map { [KafkaHeader(name: DeadLetterHeaders.replayID, value: $0)] } ?? []))
        }
        // Partition 0: a replay-tagged record before the letter's original (no replay of a held
        // letter can be there: a sign of where the read starts), the original at offset 1, another.
        _ = try await produce(0, "stray", replayID: "before-the-original")
        let original = try await produce(0, "poison")
        _ = try await produce(0, "fine")
        // Partition 1 holds no letter's original: nothing of it is read, replay-tagged or not.
        _ = try await produce(1, "elsewhere", replayID: "no-letter-here")

        let failed = InboundMessage(topic: source, partition: original.partition, offset: original.offset,
            timestampMilliseconds: 1_763_700_000_000, key: Array("k".utf8), value: Array("poison".utf8), headers: [])
        let made = DeadLetterRecord.make(
            for: failed, failure: DeadLetterFailure(kind: .invalid, errorType: "Refused", message: "no", attempts: 1),
            group: "payments", service: "payment-service", at: Date())
        _ = try await producer.send(KafkaMessage(made.message, partition: made.partition))

        let queue = DeadLetterQueue(configuration: kafka, timeout: .seconds(60), logger: Broker.logger)
        let letters = try await queue.letters(of: dlq)
        try #require(letters.count == 1)
        #expect(DeadLetterQueue.replayStarts(of: letters, in: source) == [0: original.offset + 1])
        #expect(DeadLetterQueue.replayStarts(of: letters, in: source + ".other").isEmpty)
        #expect(try await queue.replays(of: source).isEmpty, "no replay yet: the stray record before the original is not read")

        let publisher = DeadLetterPublisher(producer: producer)
        let replayed = try await publisher.publish(letters[0].record, replayID: "r-1",
            annotations: [SagaHeader(DeadLetterHeaders.replayOf, letters[0].id)])
        let replays = try await queue.replays(of: source)
        #expect(replays.map(\.replayID) == ["r-1"])
        #expect(replays.first?.partition == 0 && replays.first?.offset == replayed.offset && replayed.offset > original.offset)
        #expect(replays.first?.letterID == letters[0].id && replays.first?.outcome == .pending)
        await producer.shutdown()
    }

    @Test func aDLQThatDoesNotExistIsNamedInTheError() async throws {
        let queue = DeadLetterQueue(configuration: try Broker.configuration(), timeout: .seconds(30), logger: Broker.logger)
        let missing = "t\(UUID().uuidString.prefix(8).lowercased()).nothing"
        let error = await #expect(throws: KafkaError.self) { try await queue.replays(of: missing) }
        #expect(error?.code == .unknownTopicOrPartition)
        #expect(error?.topic == DeadLetterRecord.topic(for: missing))
    }
}
