import TestingSupport
import Kafka
import Synchronization
import Testing

/// Records which consumer handled which message.
final class HandledLog: Sendable {
    struct Entry: Hashable { var consumer: String; var partition: Int32; var offset: Int64; var value: String }
    private let entries = Mutex<[Entry]>([])
    func append(_ consumer: String, _ message: KafkaConsumerMessage) {
        entries.withLock { $0.append(Entry(consumer: consumer, partition: message.partition, offset: message.offset, value: message.valueString ?? "")) }
    }
    var all: [Entry] { entries.withLock { $0 } }
    var count: Int { entries.withLock { $0.count } }
}

/// Waits (bounded) until `condition` holds; a hang guard for group membership, not a timing assertion.
func eventually(_ what: String, within seconds: Double = 90, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what, seconds: seconds) }
        try await Task.sleep(for: .milliseconds(50))
    }
}

@Suite("Consumer groups against the real broker", .timeLimit(.minutes(3)))
struct ConsumerGroupTests {
    @Test(arguments: [KafkaConfiguration.PartitionAssignment.range, .cooperativeSticky])
    func twoConsumersSharePartitionsAndEachMessageIsHandledOnce(strategy: KafkaConfiguration.PartitionAssignment) async throws {
        let topic = try await TestBroker.createTopic("share", partitions: 4)
        let group = TestBroker.unique("g")
        var config = try TestBroker.consumerConfiguration(group: group)
        config.partitionAssignment = strategy
        let a = try KafkaConsumer(configuration: config, logger: TestBroker.logger)
        let b = try KafkaConsumer(configuration: config, logger: TestBroker.logger)
        try a.subscribe(to: [topic])
        try b.subscribe(to: [topic])
        let log = HandledLog()
        let runA = Task { try await a.run { log.append("a", $0) } }
        let runB = Task { try await b.run { log.append("b", $0) } }

        try await eventually("both consumers own partitions") {
            let (ownedA, ownedB) = (a.assignment, b.assignment)
            return !ownedA.isEmpty && !ownedB.isEmpty && ownedA.isDisjoint(with: ownedB) && ownedA.union(ownedB).count == 4
        }
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        let count = 200
        for index in 0..<count { try await producer.enqueue(KafkaMessage(topic: topic, key: "k\(index)", value: "m\(index)")) }
        try await producer.flush()
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }
        try await eventually("all messages handled") { log.count >= count }
        let ownedA = a.assignment.map(\.partition)
        try await withTimeout(30, "a close") { await a.close() }
        try await withTimeout(30, "b close") { await b.close() }
        try await withTimeout(30, "runA") { try await runA.value }
        try await withTimeout(30, "runB") { try await runB.value }

        let entries = log.all
        #expect(entries.count == count, "every message handled exactly once")
        #expect(Set(entries.map(\.value)) == Set((0..<count).map { "m\($0)" }))
        #expect(Set(entries.map(\.consumer)) == ["a", "b"], "both consumers did work")
        for entry in entries {
            #expect((entry.consumer == "a") == ownedA.contains(entry.partition), "partition \(entry.partition) handled by its owner only")
        }
    }

    /// With slow handlers (`handlerMilliseconds`), revokes arrive while a handler is running.
    @Test(arguments: [KafkaConfiguration.PartitionAssignment.range, .cooperativeSticky], [0, 3])
    func aRebalanceDuringConsumptionNeitherLosesNorReplaysMessages(
        strategy: KafkaConfiguration.PartitionAssignment, handlerMilliseconds: Int
    ) async throws {
        try await rebalanceDuringConsumption(strategy: strategy, handlerMilliseconds: handlerMilliseconds, batch: nil)
    }

    /// The same with `run(batchesOf:)`: messages arrive faster than one at a time would be
    /// handled (each batch takes 20 ms), so batches span partitions and a revoke arrives while
    /// one is being handled; it must wait for the whole batch.
    @Test(arguments: [KafkaConfiguration.PartitionAssignment.range, .cooperativeSticky])
    func aRebalanceDuringBatchedConsumptionNeitherLosesNorReplaysMessages(strategy: KafkaConfiguration.PartitionAssignment) async throws {
        try await rebalanceDuringConsumption(strategy: strategy, handlerMilliseconds: 20, batch: 16)
    }

    private func rebalanceDuringConsumption(
        strategy: KafkaConfiguration.PartitionAssignment, handlerMilliseconds: Int, batch: Int?
    ) async throws {
        let topic = try await TestBroker.createTopic("rebalance", partitions: 4)
        var config = try TestBroker.consumerConfiguration(group: TestBroker.unique("g"))
        config.partitionAssignment = strategy
        let producer = try KafkaProducer(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        let log = HandledLog()
        // Produce steadily until the second member has done some work, so partitions move while messages flow.
        let produce = Task { () -> Int in
            var index = 0
            while index < 20_000 && !(log.all.contains { $0.consumer == "b" } && log.count > index / 2 + 50) {
                try await producer.enqueue(KafkaMessage(topic: topic, key: "k\(index)", value: "m\(index)"))
                index += 1
                if index % (handlerMilliseconds == 0 || batch != nil ? 10 : 1) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            try await producer.flush()
            return index
        }
        let a = try KafkaConsumer(configuration: config, logger: TestBroker.logger)
        try a.subscribe(to: [topic])
        let handle: @Sendable (String, KafkaConsumerMessage) async throws -> Void = { consumer, message in
            if handlerMilliseconds > 0 { try await Task.sleep(for: .milliseconds(handlerMilliseconds)) }
            log.append(consumer, message)
        }
        let run: @Sendable (KafkaConsumer, String) async throws -> Void = { consumer, name in
            if let batch {
                try await consumer.run(batchesOf: batch) { messages in
                    if handlerMilliseconds > 0 { try await Task.sleep(for: .milliseconds(handlerMilliseconds)) }
                    for message in messages { log.append(name, message) }
                }
            } else {
                try await consumer.run { try await handle(name, $0) }
            }
        }
        let runA = Task { try await run(a, "a") }
        try await eventually("the first consumer is working") { log.count >= 50 }

        let b = try KafkaConsumer(configuration: config, logger: TestBroker.logger)
        try b.subscribe(to: [topic])
        let runB = Task { try await run(b, "b") }
        let count = try await withTimeout(60, "producing") { try await produce.value }
        try await eventually("all messages handled") { Set(log.all.map(\.value)).count == count }
        // A barrier: one more message per partition. Each partition is handled in order by its
        // owner, so once every barrier was handled, any replay of an earlier offset was too.
        for partition in 0..<4 {
            try await producer.enqueue(KafkaMessage(topic: topic, partition: Int32(partition), key: "end", value: "end-\(partition)"))
        }
        try await producer.flush()
        try await eventually("the barriers handled") { Set(log.all.map(\.value)).isSuperset(of: (0..<4).map { "end-\($0)" }) }
        try await withTimeout(30, "a close") { await a.close() }
        try await withTimeout(30, "b close") { await b.close() }
        try await withTimeout(30, "runA") { try await runA.value }
        try await withTimeout(30, "runB") { try await runB.value }
        try await withTimeout(30, "producer shutdown") { await producer.shutdown() }

        let entries = log.all.filter { !$0.value.hasPrefix("end-") }
        var seen: [String: Int] = [:]
        for entry in entries { seen["\(entry.partition)/\(entry.offset)", default: 0] += 1 }
        let replayed = seen.filter { $0.value > 1 }
        #expect(Set(entries.map(\.value)).count == count, "no message lost")
        #expect(replayed.isEmpty, "messages handled twice after the rebalance: \(replayed.keys.sorted().prefix(10))")
        #expect(Set(entries.map(\.consumer)) == ["a", "b"])
    }
}
