import Foundation
@testable import Kafka
import Testing

/// ``KafkaTopicReader`` through the real broker: watermarks, reads to the end a topic had at
/// the start, and reads that cannot reach their end.
@Suite("KafkaTopicReader")
struct TopicReaderTests {
    static func reader() throws -> KafkaTopicReader {
        KafkaTopicReader(configuration: try TestBroker.configuration(), logger: TestBroker.logger)
    }

    /// Produces `count` records to each of `partitions`, acknowledged, values "p<partition>-<index>".
    static func produce(_ topic: String, partitions: [Int32], count: Int) async throws {
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        for partition in partitions {
            for index in 0..<count {
                _ = try await producer.send(KafkaMessage(topic: topic, partition: partition, value: "p\(partition)-\(index)"))
            }
        }
        try await withTimeout(60, "producer shutdown") { await producer.shutdown() }
    }

    @Test func anEmptyTopicHasEqualWatermarksAndReadsAsNothingAtOnce() async throws {
        let topic = try await TestBroker.createTopic("reader-empty", partitions: 3)
        let reader = try Self.reader()
        let marks = try await reader.watermarks(of: topic, timeout: .seconds(120))
        #expect(marks.map(\.partition.partition) == [0, 1, 2])
        #expect(marks.allSatisfy { $0.isEmpty && $0.low == 0 && $0.high == 0 }, "\(marks)")
        // Nothing to wait for: no assignment, no poll (a hang guard, not a speed assertion).
        let records = try await withTimeout(120, "reading an empty topic") { try await reader.readToEnd(topic, timeout: .seconds(120)) }
        #expect(records.isEmpty)
    }

    @Test func readsEveryRecordOfEveryPartitionInPartitionAndOffsetOrder() async throws {
        let topic = try await TestBroker.createTopic("reader-all", partitions: 3)
        try await Self.produce(topic, partitions: [2, 0], count: 3)  // partition 1 stays empty
        let reader = try Self.reader()
        let marks = try await reader.watermarks(of: topic, timeout: .seconds(120))
        #expect(marks.map(\.high) == [3, 0, 3], "\(marks)")

        let records = try await reader.readToEnd(topic, timeout: .seconds(120))
        #expect(records.map(\.valueString) == ["p0-0", "p0-1", "p0-2", "p2-0", "p2-1", "p2-2"])
        #expect(records.map(\.offset) == [0, 1, 2, 0, 1, 2])
        #expect(records.allSatisfy { $0.topic == topic })

        // Records produced since are read by the next read, which also ends at its start's end.
        try await Self.produce(topic, partitions: [1], count: 2)
        let again = try await reader.readToEnd(topic, timeout: .seconds(120))
        #expect(again.map(\.valueString) == ["p0-0", "p0-1", "p0-2", "p1-0", "p1-1", "p2-0", "p2-1", "p2-2"])
    }

    @Test func readsFromGivenOffsetsOnlyThePartitionsAsked() async throws {
        let topic = try await TestBroker.createTopic("reader-from", partitions: 4)
        try await Self.produce(topic, partitions: [0, 1, 2, 3], count: 4)
        let reader = try Self.reader()
        // 0 from offset 2; 1 not asked; 2 from before its low watermark (the whole partition);
        // 3 from its high watermark (nothing yet).
        let records = try await reader.readToEnd(topic, from: [0: 2, 2: -5, 3: 4], timeout: .seconds(120))
        #expect(records.map(\.valueString) == ["p0-2", "p0-3", "p2-0", "p2-1", "p2-2", "p2-3"])
        #expect(records.map(\.offset) == [2, 3, 0, 1, 2, 3])
        #expect(try await reader.readToEnd(topic, from: [:], timeout: .seconds(120)).isEmpty)
        #expect(try await reader.readToEnd(topic, from: [1: 99], timeout: .seconds(120)).isEmpty)
    }

    @Test func committedOffsetsAreReadWithoutJoiningTheGroup() async throws {
        let topic = try await TestBroker.createTopic("reader-committed", partitions: 1)
        let group = TestBroker.unique("g")
        try await TestBroker.produceValues(topic: topic, count: 5)
        let reader = try Self.reader()
        #expect(try await reader.committedOffsets(group: group, topic: topic, timeout: .seconds(60)).isEmpty)
        try await withTimeout(60, "consumer") {
            let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: group), logger: TestBroker.logger)
            try consumer.subscribe(to: [topic])
            for try await message in consumer.messages {
                try consumer.markProcessed(message)
                if message.valueString == "m2" { break }
            }
            try await withTimeout(30, "consumer close") { await consumer.close() }
        }
        // The next offset the group consumes: after m2 (offset 2).
        #expect(try await reader.committedOffsets(group: group, topic: topic, timeout: .seconds(60)) == [0: 3])
        // Reading them joined nothing: the group resumes where it was.
        #expect(try await TestBroker.firstValue(topic: topic, group: group) == "m3")
    }

    @Test func anEndThatIsNotReachedFailsNamingEachUnfinishedPartition() async throws {
        let topic = try await TestBroker.createTopic("reader-unreached", partitions: 2)
        try await Self.produce(topic, partitions: [0, 1], count: 2)
        let reader = try Self.reader()
        // Partition 1 is aimed 5 past its real end: it can never be reached; partition 0 is.
        let error = try await #require(throws: KafkaError.self) {
            _ = try await reader.readToEnd(topic, timeout: .seconds(3)) { marks in
                marks.map { mark in
                    var mark = mark
                    if mark.partition.partition == 1 { mark.high += 5 }
                    return mark
                }
            }
        }
        #expect(error.code == .timedOut)
        #expect(error.topic == topic)
        #expect(error.partition == 1)
        #expect(error.unfinishedPartitions == [
            KafkaPartitionProgress(partition: TopicPartition(topic: topic, partition: 1), position: 2, highWatermark: 7),
        ])
        #expect(error.message.contains("the end of \(topic) was not reached within 3.0 s: partition 1 at offset 2 of high watermark 7"),
                "\(error)")
    }

    @Test func anUnknownTopicIsAnErrorNamingIt() async throws {
        let topic = TestBroker.unique("reader-missing")
        let error = try await #require(throws: KafkaError.self) {
            _ = try await Self.reader().readToEnd(topic, timeout: .seconds(120))
        }
        #expect(error.code == .unknownTopicOrPartition, "\(error)")
        #expect(error.topic == topic)
        #expect(error.message.contains("topic \(topic) does not exist"), "\(error)")
    }

    @Test func aBrokerThatDoesNotAnswerFailsByTheDeadline() async throws {
        var configuration = try TestBroker.configuration()
        configuration.bootstrapServers = ["127.0.0.1:\(try unusedPort())"]
        let reader = KafkaTopicReader(configuration: configuration, logger: TestBroker.logger)
        let error = try await #require(throws: KafkaError.self) {
            _ = try await withTimeout(120, "reading from a closed port") { try await reader.readToEnd("orders", timeout: .seconds(2)) }
        }
        #expect(error.code == .timedOut, "\(error)")
        #expect(error.topic == "orders")
        #expect(error.message.contains("within 2.0 s"), "\(error)")
    }

    @Test func cancellingAReadEndsIt() async throws {
        let topic = try await TestBroker.createTopic("reader-cancel", partitions: 1)
        try await Self.produce(topic, partitions: [0], count: 1)
        let reader = try Self.reader()
        let read = Task {
            try await reader.readToEnd(topic, timeout: .seconds(600)) { marks in
                marks.map { KafkaPartitionWatermarks(partition: $0.partition, low: $0.low, high: $0.high + 1) }
            }
        }
        read.cancel()
        let result = try await withTimeout(120, "a cancelled read") { await read.result }
        let error = try #require(throws: KafkaError.self) { try result.get() }
        #expect(error.code == .interrupted, "\(error)")
        #expect(error.topic == topic)
    }
}
