// The Swift side of the Kafka benchmark (run by scripts/bench-kafka beside the C baseline
// in c/rdkafka_bench.c, with the same settings and message counts).
//
//   KafkaBenchmark produce BROKERS TOPIC COUNT SIZE LINGER_MS          enqueue + deliveries
//   KafkaBenchmark send BROKERS TOPIC COUNT SIZE LINGER_MS CONCURRENCY  awaiting send, concurrent tasks
//   KafkaBenchmark consume BROKERS TOPIC COUNT GROUP [BATCH]           run { } handler, offsets stored per message;
//                                                                      with BATCH, run(batchesOf: BATCH) { }
//   KafkaBenchmark read BROKERS TOPIC [PARTITION:OFFSET ...]               KafkaTopicReader to the end: the whole topic,
//                                                                      or the partitions given from their offsets
//   KafkaBenchmark create-topic BROKERS TOPIC PARTITIONS
//   KafkaBenchmark version
//
// Prints one line: RESULT messages=N bytes=B failed=F seconds=S
// FETCH_QUEUE_BACKOFF_MS, if set, replaces the consumer's fetch.queue.backoff.ms (as in the C program).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kafka
import Logging

let logger: Logger = {
    var logger = Logger(label: "kafka.benchmark")
    logger.logLevel = getenv("KAFKA_BENCH_LOG").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? .warning
    return logger
}()

func usage() -> Never {
    print("usage: KafkaBenchmark produce|send|consume|read|create-topic|version ...")
    exit(2)
}

func int(_ text: String) -> Int {
    guard let value = Int(text), value > 0 else {
        print("KafkaBenchmark: not a positive number: \(text)")
        exit(2)
    }
    return value
}

func result(messages: Int, bytes: Int, failed: Int, seconds: Double) {
    print("RESULT messages=\(messages) bytes=\(bytes) failed=\(failed) seconds=\(seconds)")
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    seconds(between: start, and: .now)
}

func seconds(between start: ContinuousClock.Instant, and end: ContinuousClock.Instant) -> Double {
    let elapsed = end - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func producerConfiguration(_ brokers: String, linger: String) -> KafkaConfiguration {
    var config = KafkaConfiguration(bootstrapServers: [brokers])
    config.linger = .milliseconds(Int(linger) ?? 5)  // acks=all, idempotence and no compression are the defaults
    return config
}

/// The high-throughput path: enqueue everything, observe every delivery on `deliveries`.
func produce(_ brokers: String, _ topic: String, count: Int, size: Int, linger: String) async throws {
    let producer = try KafkaProducer(configuration: producerConfiguration(brokers, linger: linger), logger: logger)
    let message = KafkaMessage(topic: topic, value: [UInt8](repeating: UInt8(ascii: "x"), count: size))
    let start = ContinuousClock.now
    let reports = Task {
        var delivered = 0, failed = 0
        for await delivery in producer.deliveries {
            if case .success = delivery.result { delivered += 1 } else { failed += 1 }
            if delivered + failed == count { break }
        }
        return (delivered, failed)
    }
    for _ in 0..<count { try await producer.enqueue(message) }
    let (delivered, failed) = await reports.value
    let elapsed = seconds(since: start)
    result(messages: delivered, bytes: delivered * size, failed: failed, seconds: elapsed)
    await producer.shutdown()
}

/// The awaiting path: `concurrency` tasks, each sending its share one `send` at a time.
func send(_ brokers: String, _ topic: String, count: Int, size: Int, linger: String, concurrency: Int) async throws {
    let producer = try KafkaProducer(configuration: producerConfiguration(brokers, linger: linger), logger: logger)
    let message = KafkaMessage(topic: topic, value: [UInt8](repeating: UInt8(ascii: "x"), count: size))
    let start = ContinuousClock.now
    let failed = try await withThrowingTaskGroup(of: Int.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var failed = 0
                for _ in stride(from: worker, to: count, by: concurrency) {
                    do { _ = try await producer.send(message) } catch { failed += 1 }
                }
                return failed
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = seconds(since: start)
    result(messages: count - failed, bytes: (count - failed) * size, failed: failed, seconds: elapsed)
    await producer.shutdown()
}

/// The at-least-once consumer path: `run`, storing each message's offset after its handler,
/// or with `batch`, `run(batchesOf:)`, storing a batch's offsets after its handler.
func consume(_ brokers: String, _ topic: String, count: Int, group: String, batch: Int?) async throws {
    var config = KafkaConfiguration(bootstrapServers: [brokers], groupID: group)
    config.sessionTimeout = .milliseconds(6000)
    config.heartbeatInterval = .milliseconds(500)
    if let backoff = getenv("FETCH_QUEUE_BACKOFF_MS") { config.properties["fetch.queue.backoff.ms"] = String(cString: backoff) }
    let consumer = try KafkaConsumer(configuration: config, logger: logger)
    try consumer.subscribe(to: [topic])
    var received = 0, bytes = 0
    var start: ContinuousClock.Instant?, end: ContinuousClock.Instant?
    func handle(_ message: KafkaConsumerMessage) {
        if received == 0 { start = .now }
        received += 1
        bytes += message.value?.count ?? 0
        if received == count {
            end = .now
            Task { await consumer.close() }
        }
    }
    if let batch {
        try await consumer.run(batchesOf: batch) { messages in
            for message in messages { handle(message) }
        }
    } else {
        try await consumer.run { handle($0) }
    }
    guard let start, let end else {
        result(messages: received, bytes: bytes, failed: count - received, seconds: 0)
        return
    }
    result(messages: received, bytes: bytes, failed: 0, seconds: seconds(between: start, and: end))
}

/// Reads `topic` to its end with ``KafkaTopicReader``: all of it, or the partitions in `starts` from their offsets.
func read(_ brokers: String, _ topic: String, starts: [String]) async throws {
    var from: [Int32: Int64] = [:]
    for start in starts {
        let parts = start.split(separator: ":")
        guard parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]) else { usage() }
        from[partition] = offset
    }
    let reader = KafkaTopicReader(configuration: KafkaConfiguration(bootstrapServers: [brokers]), logger: logger)
    let began = ContinuousClock.now
    let records = starts.isEmpty
        ? try await reader.readToEnd(topic, timeout: .seconds(600))
        : try await reader.readToEnd(topic, from: from, timeout: .seconds(600))
    result(messages: records.count, bytes: records.reduce(0) { $0 + ($1.value?.count ?? 0) }, failed: 0, seconds: seconds(since: began))
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch (arguments.first, arguments.count) {
    case ("version", _):
        print(LibrdkafkaVersion.string)
    case ("produce", 6):
        try await produce(arguments[1], arguments[2], count: int(arguments[3]), size: int(arguments[4]), linger: arguments[5])
    case ("send", 7):
        try await send(arguments[1], arguments[2], count: int(arguments[3]), size: int(arguments[4]),
                       linger: arguments[5], concurrency: int(arguments[6]))
    case ("consume", 5), ("consume", 6):
        try await consume(arguments[1], arguments[2], count: int(arguments[3]), group: arguments[4],
                          batch: arguments.count == 6 ? int(arguments[5]) : nil)
    case ("read", 3...):
        try await read(arguments[1], arguments[2], starts: Array(arguments.dropFirst(3)))
    case ("create-topic", 4):
        let topic = KafkaTopicSpecification(name: arguments[2], partitions: Int32(clamping: int(arguments[3])))
        try await KafkaAdmin.withAdmin(configuration: KafkaConfiguration(bootstrapServers: [arguments[1]]), logger: logger) {
            try await $0.createTopics([topic])
        }
    default:
        usage()
    }
} catch {
    print("KafkaBenchmark: \(error)")
    exit(1)
}
