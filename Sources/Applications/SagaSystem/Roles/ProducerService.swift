import Kafka
import Logging
import ServiceLifecycle

/// Keeps a `KafkaProducer` shared by the HTTP routes (the api role publishes `TransferRequested`
/// itself) alive until graceful shutdown, then flushes and closes it within `flushTimeout`, so
/// every request that was answered has its message delivered or its failure reported.
public struct ProducerService: Service, CustomStringConvertible {
    /// The producer.
    public let producer: KafkaProducer
    /// How long the final flush may take.
    public let flushTimeout: Duration
    private let logger: Logger

    /// Creates the service owning `producer`.
    public init(producer: KafkaProducer, flushTimeout: Duration, logger: Logger) {
        self.producer = producer
        self.flushTimeout = flushTimeout
        self.logger = logger
    }

    /// Waits for graceful shutdown (or cancellation), then flushes and closes the producer.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled rather than shut down gracefully: still flush what we can before returning.
            logger.notice("producer service cancelled; flushing", metadata: ["error": "\(error)"])
        }
        await producer.shutdown(timeout: flushTimeout)
    }

    /// The name in logs.
    public var description: String { "producer" }
}
