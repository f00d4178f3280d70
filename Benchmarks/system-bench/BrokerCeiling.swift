import Foundation
import Histogram
import SagaTestSupport
import Kafka
import Logging

/// The broker's own ceiling, measured with bare Kafka clients (no engine, no SQLite) on the same
/// broker, client configuration and record shape as the system's messages.
struct BrokerCeiling {
    /// Producer and consumer configuration (the system's own: acks=all, idempotent).
    var kafka: KafkaConfiguration
    /// Records per measurement.
    var records: Int
    /// The record every measurement sends (key, value and headers sized like the saga messages).
    var record: @Sendable (_ topic: String, _ index: Int) -> KafkaMessage
    var logger: Logger

    /// Bare produce: `records` records queued as fast as the producer takes them, timed until the
    /// last delivery report (every report read and checked). Returns records per second.
    func produce(topic: String) async throws -> Measurement {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        // Warm-up: metadata and connections before the clock starts.
        _ = try await producer.send(record(topic, -1))
        let count = records
        let reports = Task { () throws -> Int in
            var failed = 0, seen = 0
            for await delivery in producer.deliveries {
                if case .failure = delivery.result { failed += 1 }
                seen += 1
                if seen == count { break }
            }
            return failed
        }
        let meter = Meter()
        for index in 0..<count { try await producer.enqueue(record(topic, index)) }
        let failed = try await reports.value
        let measurement = meter.stop(count: count)
        await producer.shutdown(timeout: .seconds(10))
        guard failed == 0 else { throw BenchError("\(failed) of \(count) baseline records failed to produce on \(topic)") }
        return measurement
    }

    /// Bare produce → consume: `records` records produced as fast as possible while one
    /// consumer (in a group, as the services' consumers are) reads them; timed from the first
    /// send to the last record read. Returns records per second through the broker and back.
    func roundTrip(topic: String) async throws -> Measurement {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let consumer = try subscribedConsumer(topic: topic, group: "\(topic)-reader", kafka: kafka, logger: logger)
        var iterator = consumer.messages.makeAsyncIterator()
        // Warm-up: the consumer has joined its group and read the first record.
        _ = try await producer.send(record(topic, -1))
        guard try await iterator.next() != nil else { throw BenchError("the baseline consumer of \(topic) stopped") }
        let count = records
        let meter = Meter()
        let sender = Task {
            for index in 0..<count { try await producer.enqueue(record(topic, index)) }
            try await producer.flush()
        }
        var read = 0
        while read < count {
            guard let message = try await iterator.next() else { throw BenchError("the baseline consumer of \(topic) stopped") }
            try consumer.markProcessed(message)
            read += 1
        }
        let measurement = meter.stop(count: count)
        try await sender.value
        await consumer.close()
        await producer.shutdown(timeout: .seconds(10))
        return measurement
    }
}

extension BrokerCeiling {
    /// The latency floor of one hop: `count` records, each produced (awaiting its acknowledgement,
    /// as the outbox relay does) only after the one before was read by a consumer in a group.
    /// Returns the p50 and p99 of one record's produce → consume time, in milliseconds.
    func hop(topic: String, count: Int) async throws -> (p50: Double, p99: Double) {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let consumer = try subscribedConsumer(topic: topic, group: "\(topic)-reader", kafka: kafka, logger: logger)
        var iterator = consumer.messages.makeAsyncIterator()
        _ = try await producer.send(record(topic, -1))
        guard try await iterator.next() != nil else { throw BenchError("the hop consumer of \(topic) stopped") }
        var histogram = SagaEnds.newHistogram()
        for index in 0..<count {
            let began = ContinuousClock.now
            _ = try await producer.send(record(topic, index))
            guard let message = try await iterator.next() else { throw BenchError("the hop consumer of \(topic) stopped") }
            let took = (ContinuousClock.now - began).components
            histogram.record(UInt64(max(0, took.seconds * 1_000_000 + took.attoseconds / 1_000_000_000_000)))
            try consumer.markProcessed(message)
        }
        await consumer.close()
        await producer.shutdown(timeout: .seconds(10))
        return (Double(histogram.valueAtPercentile(50)) / 1000, Double(histogram.valueAtPercentile(99)) / 1000)
    }
}

/// A consumer of `topic` in a fresh `group`, from the topic's start, with the services' broker
/// settings (their fetch wait, `KAFKA_FETCH_WAIT_MAX_MS`, among them), so bare clients and the
/// services read alike.
func subscribedConsumer(topic: String, group: String, kafka: KafkaConfiguration, logger: Logger) throws -> KafkaConsumer {
    var configuration = kafka
    configuration.groupID = group
    configuration.autoOffsetReset = .earliest
    let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
    try consumer.subscribe(to: [topic])
    return consumer
}

/// Wall time and CPU time (this process and the broker's) of one measurement.
struct Meter {
    let began = ContinuousClock.now
    let cpuSelf = ProcessCPU.seconds(nil)
    let cpuBroker = ProcessCPU.seconds(brokerPID)

    func stop(count: Int) -> Measurement {
        let elapsed = ContinuousClock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Measurement(
            count: count, seconds: seconds,
            cpuSelf: cpuSelf.flatMap { start in ProcessCPU.seconds(nil).map { $0 - start } },
            cpuBroker: cpuBroker.flatMap { start in ProcessCPU.seconds(brokerPID).map { $0 - start } }
        )
    }
}

/// What one timed run did.
struct Measurement {
    var count: Int
    var seconds: Double
    var cpuSelf: Double?
    var cpuBroker: Double?
    /// Latency percentiles in milliseconds (saga runs only).
    var p50: Double?
    var p99: Double?
    /// The longest saga's latency in milliseconds (saga runs only): one saga that waited out a step's
    /// timeout stretches a closed-loop run at its end without moving the p99.
    var longest: Double?
    /// That saga's id.
    var longestSagaID: String?
    /// The longest a call that starts a saga took (saga runs only): `placeOrder`'s commit, or the
    /// transfer request's wait for the broker's acknowledgement.
    var slowestStart: Duration?
    /// How long the run waited for start calls to return after its last saga had ended (saga runs
    /// only): a start whose saga ran while the call itself still waited (a late acknowledgement).
    var startsAfterLastEnd: Duration?

    var perSecond: Double { Double(count) / seconds }
    /// This process's CPU per item in milliseconds.
    var cpuSelfPerItem: Double? { cpuSelf.map { 1000 * $0 / Double(count) } }
    /// The broker's CPU per item in milliseconds.
    var cpuBrokerPerItem: Double? { cpuBroker.map { 1000 * $0 / Double(count) } }
    /// This process's and the broker's CPU seconds per second of the run: the cores they kept busy.
    var coresBusy: Double? { cpuSelf.flatMap { own in cpuBroker.map { (own + $0) / seconds } } }
}


/// A benchmark step that could not be carried out.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
