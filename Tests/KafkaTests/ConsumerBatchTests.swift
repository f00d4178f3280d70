import Kafka
import Synchronization
import Testing

@Suite("Consumer batches against the real broker", .timeLimit(.minutes(3)))
struct ConsumerBatchTests {
    @Test func batchesHandEveryMessageOnceInOrderAndStoreTheLastBatchsOffsets() async throws {
        let topic = try await TestBroker.createTopic("batch-run")
        let group = TestBroker.unique("g")
        let total = 5000
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        for index in 0..<total { try await producer.enqueue(KafkaMessage(topic: topic, value: "\(index)")) }
        try await producer.flush()

        let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: group), logger: TestBroker.logger)
        try consumer.subscribe(to: [topic])
        let handled = HandledLog()
        let sizes = Mutex<[Int]>([])
        try await withTimeout(60, "run") {
            try await consumer.run(batchesOf: 100) { messages in
                sizes.withLock { $0.append(messages.count) }
                for message in messages { handled.append("only", message) }
                if handled.count == total { await consumer.close() }  // from the handler: run stops after it
            }
        }
        #expect(handled.all.map(\.value) == (0..<total).map { "\($0)" }, "every message once, in order")
        let batchSizes = sizes.withLock { $0 }
        #expect(batchSizes.allSatisfy { (1...100).contains($0) }, "never empty, never above the maximum")
        #expect(batchSizes.count < total, "messages already received are handed over together")

        _ = try await producer.send(KafkaMessage(topic: topic, value: "after"))
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }
        let next = try await TestBroker.firstValue(topic: topic, group: group)
        #expect(next == "after", "the offsets of every handled batch were stored, and nothing later")
    }

    @Test func aBatchWhoseHandlerFailedIsRedeliveredWhole() async throws {
        let topic = try await TestBroker.createTopic("batch-redeliver")
        let group = TestBroker.unique("g")
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        for index in 0..<300 { try await producer.enqueue(KafkaMessage(topic: topic, value: "m\(index)")) }
        try await producer.flush()
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }

        struct Crash: Error {}
        let batches = Mutex<[[String]]>([])
        let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: group), logger: TestBroker.logger)
        try consumer.subscribe(to: [topic])
        await #expect(throws: Crash.self) {
            try await withTimeout(30, "run") {
                try await consumer.run(batchesOf: 50) { messages in
                    let count = batches.withLock { $0.append(messages.map { $0.valueString ?? "" }); return $0.count }
                    if count == 2 { throw Crash() }
                }
            }
        }
        let seen = batches.withLock { $0 }
        try #require(seen.count == 2)
        #expect(seen[0].first == "m0")
        #expect(seen[1].first == "m\(seen[0].count)", "batches follow each other without a gap")
        // run closed the consumer: the first batch was stored, none of the failed one was.
        let redelivered = try await TestBroker.firstValue(topic: topic, group: group)
        #expect(redelivered == seen[1].first)
    }

    @Test func aBatchOfNoMessagesIsRefusedAndTheConsumerStaysUsable() async throws {
        let topic = try await TestBroker.createTopic("batch-invalid")
        try await TestBroker.produceValues(topic: topic, count: 1)
        let consumer = try KafkaConsumer(configuration: TestBroker.consumerConfiguration(group: TestBroker.unique("g")), logger: TestBroker.logger)
        try consumer.subscribe(to: [topic])
        let error = await #expect(throws: KafkaError.self) { try await consumer.run(batchesOf: 0) { _ in } }
        #expect(error?.code == .invalidArgument)
        #expect(error?.description.contains("at least one message") == true)
        let received = try await withTimeout(30, "run") { () -> [String] in
            var received: [String] = []
            try await consumer.run(batchesOf: 10) { messages in
                received += messages.compactMap(\.valueString)
                await consumer.close()
            }
            return received
        }
        #expect(received == ["m0"])
    }
}
