import Kafka
import Synchronization
import Testing

@Suite("Consumer against the real broker", .timeLimit(.minutes(3)))
struct ConsumerTests {
    @Test func roundTripKeepsKeyValueAndHeaders() async throws {
        let topic = try await TestBroker.createTopic("roundtrip")
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        let headers = [
            KafkaHeader(name: "trace-id", value: "abc-123"),
            KafkaHeader(name: "binary", value: [0, 255, 1]),
            KafkaHeader(name: "empty", value: []),
            KafkaHeader(name: "null", value: nil),
            KafkaHeader(name: "trace-id", value: "repeated"),
        ]
        let sent = try await producer.send(KafkaMessage(topic: topic, key: Array("order-1".utf8), value: [1, 2, 3, 0, 4], headers: headers))
        _ = try await producer.send(KafkaMessage(topic: topic, key: nil, value: nil))  // tombstone, no key
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }

        let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: TestBroker.unique("g")), logger: TestBroker.logger)
        try consumer.subscribe(to: [topic])
        let received = try await withTimeout(30, "consume") {
            var received: [KafkaConsumerMessage] = []
            for try await message in consumer.messages {
                received.append(message)
                try consumer.markProcessed(message)
                if received.count == 2 { break }
            }
            return received
        }
        try await withTimeout(30, "consumer close") { await consumer.close() }
        try #require(received.count == 2)
        let first = received[0]
        #expect(first.topic == topic)
        #expect(first.partition == sent.partition)
        #expect(first.offset == sent.offset)
        #expect(first.keyString == "order-1")
        #expect(first.value == [1, 2, 3, 0, 4])
        #expect(first.headers == headers)
        #expect(first.header("trace-id")?.stringValue == "abc-123")
        #expect(first.timestampMilliseconds != nil)
        #expect(received[1].key == nil)
        #expect(received[1].value == nil)
    }

    @Test func perKeyOrderIsKept() async throws {
        let topic = try await TestBroker.createTopic("order", partitions: 4)
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        let keys = (0..<8).map { "account-\($0)" }
        let perKey = 50
        for index in 0..<perKey {
            for key in keys { try await producer.enqueue(KafkaMessage(topic: topic, key: key, value: "\(index)")) }
        }
        try await producer.flush()
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }

        let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: TestBroker.unique("g")), logger: TestBroker.logger)
        try consumer.subscribe(to: [topic])
        let total = keys.count * perKey
        let seen = try await withTimeout(30, "consume") {
            var seen: [String: [Int]] = [:]
            var count = 0
            for try await message in consumer.messages {
                seen[message.keyString ?? "", default: []].append(Int(message.valueString ?? "") ?? -1)
                try consumer.markProcessed(message)
                count += 1
                if count == total { break }
            }
            return seen
        }
        try await withTimeout(30, "consumer close") { await consumer.close() }
        for key in keys { #expect(seen[key] == Array(0..<perKey), "order of \(key)") }
    }

    @Test func processedMessagesAreNotRedeliveredAndTheNextOneIs() async throws {
        // Stores offset + 1: after a restart the group resumes right after the last processed message.
        let topic = try await TestBroker.createTopic("resume")
        let group = TestBroker.unique("g")
        try await TestBroker.produceValues(topic: topic, count: 5)

        try await withTimeout(30, "first consumer") {
            let first = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: group), logger: TestBroker.logger)
            try first.subscribe(to: [topic])
            for try await message in first.messages {
                try first.markProcessed(message)
                if message.valueString == "m2" { break }
            }
            try await withTimeout(30, "first close") { await first.close() }
        }
        let next = try await TestBroker.firstValue(topic: topic, group: group)
        // Exactly the message after the last one processed: not a repeat (offset N stored), not a skip.
        #expect(next == "m3")
    }

    @Test func aMessageWhoseHandlerFailedIsRedeliveredToTheGroup() async throws {
        let topic = try await TestBroker.createTopic("redeliver")
        let group = TestBroker.unique("g")
        try await TestBroker.produceValues(topic: topic, count: 3)

        struct Crash: Error {}
        let first = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: group), logger: TestBroker.logger)
        try first.subscribe(to: [topic])
        await #expect(throws: Crash.self) {
            try await withTimeout(30, "first run") {
                try await first.run { message in
                    if message.valueString == "m1" { throw Crash() }
                }
            }
        }
        // run closed the consumer: the group moves on at once (no session timeout wait).
        let redelivered = try await TestBroker.firstValue(topic: topic, group: group)
        #expect(redelivered == "m1")
    }

    @Test func unfinishedMessageOfAnAbandonedIteratorIsRedelivered() async throws {
        let topic = try await TestBroker.createTopic("abandon")
        let group = TestBroker.unique("g")
        try await TestBroker.produceValues(topic: topic, count: 3)

        // Receive m0 (processed) and m1 (not), then leave the loop and drop the consumer without close().
        try await withTimeout(30, "first consumer") {
            let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: group), logger: TestBroker.logger)
            try consumer.subscribe(to: [topic])
            for try await message in consumer.messages {
                if message.valueString == "m0" { try consumer.markProcessed(message) }
                if message.valueString == "m1" { break }
            }
        }
        let redelivered = try await TestBroker.firstValue(topic: topic, group: group)
        #expect(redelivered == "m1")
    }

    @Test func cancellingTheIteratingTaskEndsTheSequence() async throws {
        let topic = try await TestBroker.createTopic("cancel")
        let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: TestBroker.unique("g")), logger: TestBroker.logger)
        try consumer.subscribe(to: [topic])
        let iteration = Task { () -> Int in
            var count = 0
            for try await _ in consumer.messages { count += 1 }
            return count
        }
        // Partitions are assigned inside a poll, and the consumer polls only for a waiting
        // iterator: once assigned, the iteration is waiting for a message.
        try await eventually("assigned") { !consumer.assignment.isEmpty }
        iteration.cancel()
        let count = try await withTimeout(30, "cancelled iteration") { try await iteration.value }
        #expect(count == 0)
        try await withTimeout(30, "consumer close") { await consumer.close() }
    }
}

@Suite("Consumer run loop against the real broker", .timeLimit(.minutes(3)))
struct ConsumerRunTests {
    @Test func closeDuringAHandlerLetsItFinishAndStoresItsOffset() async throws {
        let topic = try await TestBroker.createTopic("graceful")
        let group = TestBroker.unique("g")
        try await TestBroker.produceValues(topic: topic, count: 3)

        let first = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: group), logger: TestBroker.logger)
        try first.subscribe(to: [topic])
        let handled = HandledLog()
        try await withTimeout(30, "first run") {
            try await first.run { message in
                if message.valueString == "m0" {
                    let closing = Task { await first.close() }
                    try await Task.sleep(for: .milliseconds(300))  // still working when close() is called
                    handled.append("first", message)
                    _ = closing
                } else {
                    handled.append("first", message)
                }
            }
        }
        #expect(handled.all.map(\.value) == ["m0"], "run stops after the handler that was running")

        let next = try await TestBroker.firstValue(topic: topic, group: group)
        #expect(next == "m1", "m0 was stored when its handler finished, although close() came first")
    }

    @Test func runHandsOverManyBatchesInOrderAndStoresTheLastProcessedOffset() async throws {
        // Several poll batches (1024) and prefetch refills: every message once, in order, and the
        // batched offset stores end exactly after the last handled message.
        let topic = try await TestBroker.createTopic("batches")
        let group = TestBroker.unique("g")
        let total = 5000
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        for index in 0...total { try await producer.enqueue(KafkaMessage(topic: topic, value: "\(index)")) }
        try await producer.flush()
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }

        let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: group), logger: TestBroker.logger)
        try consumer.subscribe(to: [topic])
        let handled = HandledLog()
        try await withTimeout(60, "run") {
            try await consumer.run { message in
                handled.append("only", message)
                if handled.count == total { await consumer.close() }  // from the handler: run stops after it
            }
        }
        #expect(handled.all.map(\.value) == (0..<total).map { "\($0)" })
        #expect(handled.all.map(\.offset) == (0..<Int64(total)).map { $0 })
        let next = try await TestBroker.firstValue(topic: topic, group: group)
        #expect(next == "\(total)", "the offset of the last handled message was stored, and no later one")
    }

    @Test func aSecondConcurrentRunIsRefused() async throws {
        let topic = try await TestBroker.createTopic("two-runs")
        let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: TestBroker.unique("g")), logger: TestBroker.logger)
        try consumer.subscribe(to: [topic])
        let running = Task { try await consumer.run { _ in } }
        try await eventually("the first run started") { consumer.isRunning }
        let error = await #expect(throws: KafkaError.self) { try await consumer.run { _ in } }
        #expect(error?.code == .state)
        try await withTimeout(30, "consumer close") { await consumer.close() }
        try await withTimeout(30, "first run") { try await running.value }
    }
}
