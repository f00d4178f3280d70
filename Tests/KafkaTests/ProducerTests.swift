import Kafka
import Testing

@Suite("Producer against the real broker", .timeLimit(.minutes(3)))
struct ProducerTests {
    @Test func sendReturnsWhereTheBrokerStoredTheMessage() async throws {
        let topic = try await TestBroker.createTopic("send", partitions: 3)
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        let first = try await producer.send(KafkaMessage(topic: topic, partition: 2, key: "k", value: "one"))
        let second = try await producer.send(KafkaMessage(topic: topic, partition: 2, key: "k", value: "two"))
        #expect(first.topic == topic)
        #expect(first.partition == 2)
        #expect(second.partition == 2)
        #expect(second.offset == first.offset + 1)
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }
    }

    @Test func messageLargerThanMessageMaxBytesIsThrownToTheCaller() async throws {
        let topic = try await TestBroker.createTopic("too-large")
        var config = try TestBroker.configuration()
        config.messageMaxBytes = 10_000
        let producer = try KafkaProducer(configuration: config, logger: TestBroker.logger)
        let error = try await #require(throws: KafkaError.self) {
            try await producer.send(KafkaMessage(topic: topic, value: [UInt8](repeating: 7, count: 20_000)))
        }
        #expect(error.code == .messageSizeTooLarge)
        #expect(error.code.name == "MSG_SIZE_TOO_LARGE")
        #expect(error.topic == topic)
        // The producer still works afterwards.
        _ = try await producer.send(KafkaMessage(topic: topic, value: "small"))
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }
    }

    @Test func failedDeliveryReportIsThrownToTheCaller() async throws {
        let topic = try await TestBroker.createTopic("bad-partition", partitions: 1)
        var config = try TestBroker.configuration()
        config.deliveryTimeout = .seconds(3)
        let producer = try KafkaProducer(configuration: config, logger: TestBroker.logger)
        let error = try await #require(throws: KafkaError.self) {
            try await producer.send(KafkaMessage(topic: topic, partition: 7, value: "nowhere"))
        }
        #expect(error.code == .unknownPartition)
        // librdkafka rejects at produce time when it already has the topic's metadata, and
        // otherwise through the delivery report; either way the caller of send gets the error.
        #expect(["deliver", "produce"].contains(error.operation))
        #expect(error.topic == topic)
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }
    }

    @Test func enqueuedMessagesReportEveryOutcomeOnDeliveries() async throws {
        let topic = try await TestBroker.createTopic("enqueue", partitions: 2)
        var config = try TestBroker.configuration()
        // A tiny queue: enqueue must wait for space instead of failing with queue-full.
        config.properties["queue.buffering.max.messages"] = "10"
        let producer = try KafkaProducer(configuration: config, logger: TestBroker.logger)
        let count = 500
        let collector = Task {
            var reports: [KafkaMessageID: KafkaDeliveryReport] = [:]
            for await delivery in producer.deliveries {
                reports[delivery.id] = try delivery.result.get()
                if reports.count == count { break }
            }
            return reports
        }
        var ids: [KafkaMessageID] = []
        for index in 0..<count {
            ids.append(try await producer.enqueue(KafkaMessage(topic: topic, key: "key-\(index % 7)", value: "value-\(index)")))
        }
        let reports = try await withTimeout(30, "delivery reports") { try await collector.value }
        #expect(Set(ids).count == count)
        #expect(Set(reports.keys) == Set(ids))
        #expect(Set(reports.values.map(\.offset)).count == count || Set(reports.values.map { "\($0.partition)/\($0.offset)" }).count == count)
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }
    }

    /// With a queue of one message every send waits for space, so a sender woken before
    /// librdkafka freed the space (a lost wake-up that once hung this test) shows up here.
    @Test(arguments: [1, 5])
    func concurrentSendsUnderBackPressureAllSucceed(queueSize: Int) async throws {
        let topic = try await TestBroker.createTopic("backpressure", partitions: 3)
        var config = try TestBroker.configuration()
        config.properties["queue.buffering.max.messages"] = "\(queueSize)"
        let producer = try KafkaProducer(configuration: config, logger: TestBroker.logger)
        let reports = try await withThrowingTaskGroup(of: KafkaDeliveryReport.self) { group in
            for index in 0..<200 {
                group.addTask { try await producer.send(KafkaMessage(topic: topic, value: "m\(index)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.count == 200)
        #expect(Set(reports.map { "\($0.partition)/\($0.offset)" }).count == 200)
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }
    }

    @Test func shutdownReportsEveryUndeliveredMessageToItsCaller() async throws {
        // Nothing listens on this port: no message can be delivered.
        var config = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        config.properties["reconnect.backoff.max.ms"] = "100"
        let producer = try KafkaProducer(configuration: config, logger: TestBroker.logger)
        let waiting = Task {
            try await withThrowingTaskGroup(of: Result<KafkaDeliveryReport, KafkaError>.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        do { return .success(try await producer.send(KafkaMessage(topic: "t", value: "m\(index)"))) }
                        catch let error as KafkaError { return .failure(error) }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let enqueued = try await producer.enqueue(KafkaMessage(topic: "t", value: "fire-and-forget"))
        // Shut down only once all 21 messages are queued: a send that starts after shutdown
        // began fails fast as closed, which is another outcome than the one tested here.
        try await withTimeout(20, "all 21 messages queued") {
            while producer.outstandingMessageCount < 21 { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await withTimeout(30, "producer shutdown") { await producer.shutdown(timeout: .milliseconds(200)) }
        let results = try await withTimeout(20, "send results") { try await waiting.value }
        #expect(results.count == 20)
        for result in results {
            guard case .failure(let error) = result else {
                Issue.record("a message was reported delivered with no broker")
                continue
            }
            #expect(error.code == .purgedFromQueue || error.code == .purgedInFlight, "\(error)")
        }
        var deliveries: [KafkaDelivery] = []
        for await delivery in producer.deliveries { deliveries.append(delivery) }
        #expect(deliveries.map(\.id) == [enqueued])
        // After shutdown, sending fails fast.
        await #expect(throws: KafkaError.self) { try await producer.send(KafkaMessage(topic: "t", value: "late")) }
    }
}
