import Logging

/// Produces messages to Kafka.
///
/// Two ways to produce:
/// - ``send(_:)`` suspends until the broker acknowledged the message (per `acks`, default
///   all in-sync replicas) and returns where it was stored, or throws why it was not.
/// - ``enqueue(_:)`` returns as soon as librdkafka queued the message, for throughput; its
///   outcome arrives on ``deliveries``.
///
/// Both suspend (rather than fail) while librdkafka's queue is full, until delivery reports
/// free space. Idempotence and `acks=all` are on by default. ``shutdown(timeout:)`` delivers
/// every queued message, or reports it failed to its caller; dropping the last reference
/// does the same in the background.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: .init(bootstrapServers: ["localhost:9092"]))
/// let report = try await producer.send(KafkaMessage(topic: "orders", key: "order-42", value: "created"))
/// print(report.partition, report.offset)
/// await producer.shutdown()
/// ```
public final class KafkaProducer: Sendable {
    private let core: ProducerCore

    /// Creates a producer; throws a ``KafkaError`` naming the property if the configuration is invalid.
    /// The librdkafka version loaded is logged at `info` level.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.producer")) throws(KafkaError) {
        core = try ProducerCore(configuration: configuration, logger: logger)
    }

    deinit {
        let core = self.core
        DedicatedThread.start(name: "kafka-prod-close") { core.shutdownBlocking(timeoutMilliseconds: 30_000) }
    }

    /// Produces `message` and returns once the broker acknowledged it.
    ///
    /// - Throws: ``KafkaError`` if librdkafka rejects the message (e.g. `MSG_SIZE_TOO_LARGE`)
    ///   or it could not be delivered (delivery report error, or purged by shutdown);
    ///   `CancellationError` if the task is cancelled while waiting for queue space (the
    ///   message was then not produced). Once queued, a message is always awaited to its report.
    public func send(_ message: KafkaMessage) async throws -> KafkaDeliveryReport {
        while true {
            switch try await core.attemptSend(message) {
            case .delivered(let report): return report
            case .queueFull(let generation):
                await core.waitForSpace(after: generation)
                try Task.checkCancellation()
            }
        }
    }

    /// Queues `message` without waiting for its acknowledgement and returns its ID; the
    /// outcome arrives on ``deliveries`` with that ID.
    ///
    /// - Throws: ``KafkaError`` if librdkafka rejects the message; `CancellationError` if
    ///   cancelled while waiting for queue space.
    @discardableResult
    public func enqueue(_ message: KafkaMessage) async throws -> KafkaMessageID {
        while true {
            switch try core.attemptEnqueue(message) {
            case .queued(let id): return id
            case .queueFull(let generation):
                await core.waitForSpace(after: generation)
                try Task.checkCancellation()
            }
        }
    }

    /// The outcomes of messages produced with ``enqueue(_:)``, in the order librdkafka
    /// reports them (in order per partition). Iterate it from one task; it finishes after
    /// shutdown, once every enqueued message has an outcome. Outcomes are buffered until read,
    /// so a producer that uses `enqueue` should read them.
    public var deliveries: KafkaDeliveries { KafkaDeliveries(buffer: core.deliveries) }

    /// How many produced messages still await their delivery report: queued, in flight to the
    /// broker, or reported but not yet handed to their caller; 0 once the producer has shut
    /// down and every message has its outcome. Useful as a gauge of back-pressure.
    public var outstandingMessageCount: Int { core.outstandingMessageCount }

    /// Waits until every message produced so far has its delivery report (ignoring `linger`).
    ///
    /// - Throws: ``KafkaError`` with code `_TIMED_OUT` if some messages are still in flight after `timeout`.
    public func flush(timeout: Duration = .seconds(30)) async throws {
        let core = self.core
        let milliseconds = Int32(clamping: Int(KafkaConfiguration.milliseconds(timeout)) ?? Int(Int32.max))
        if let error = await DedicatedThread.run(name: "kafka-flush", { core.flushBlocking(timeoutMilliseconds: milliseconds) }) {
            throw error
        }
    }

    /// Stops accepting messages, waits up to `timeout` for every queued message to be
    /// delivered, fails the rest with a purge error to their callers (or on ``deliveries``),
    /// then releases the client. Calling it again waits for the first call to finish.
    public func shutdown(timeout: Duration = .seconds(30)) async {
        let core = self.core
        let milliseconds = Int32(clamping: Int(KafkaConfiguration.milliseconds(timeout)) ?? Int(Int32.max))
        await DedicatedThread.run(name: "kafka-prod-close") { core.shutdownBlocking(timeoutMilliseconds: milliseconds) }
    }
}
