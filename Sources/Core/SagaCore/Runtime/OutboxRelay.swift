import Foundation
import Logging

/// Publishes messages to the broker and reports, per message, whether the broker acknowledged it.
public protocol OutboxPublisher: Sendable {
    /// Publishes `messages`; those with the same key to the same topic are published one after
    /// the other in the given order (the next only after the previous one's delivery report),
    /// so one saga's messages keep their order on each topic. Returns one entry per message:
    /// `nil` when delivered, the error otherwise. A message after a failed one of the same key
    /// and topic is not attempted and reported with ``OutboxRelayError/skippedAfterFailure``.
    func publish(_ messages: [OutgoingMessage]) async -> [(any Error)?]
}

/// Errors of the relay.
public enum OutboxRelayError: Error, CustomStringConvertible {
    /// Not attempted because an earlier message with the same key failed.
    case skippedAfterFailure(topic: String)

    /// A readable description.
    public var description: String {
        switch self {
        case .skippedAfterFailure(let topic): "not sent to \(topic): an earlier message of the same saga failed"
        }
    }
}

/// Moves outbox rows to Kafka: reads pending rows in write order, publishes them (in order per
/// saga), and marks a row published only after its delivery report. A process that dies
/// between commit and publish loses nothing (the rows are still pending at restart); one that
/// dies between publish and mark publishes those rows again, which consumers deduplicate by
/// message id.
///
/// The relay sleeps on the outbox doorbell (rung by every commit that wrote rows), so it
/// neither polls nor lags; after a delivery failure it retries after ``failureBackoff``.
public struct OutboxRelay: Sendable {
    /// The store whose outbox to relay.
    public let store: any SagaStore
    /// The broker side.
    public let publisher: any OutboxPublisher
    /// Rung when rows were written.
    public let doorbell: Doorbell
    /// Rows per batch.
    public var batchSize: Int
    /// The pause after a failed delivery.
    public var failureBackoff: Duration
    private let logger: Logger

    /// Creates a relay.
    public init(
        store: any SagaStore, publisher: any OutboxPublisher, doorbell: Doorbell, batchSize: Int = 500,
        failureBackoff: Duration = .milliseconds(500), logger: Logger = Logger(label: "saga.outbox")
    ) {
        self.store = store
        self.publisher = publisher
        self.doorbell = doorbell
        self.batchSize = batchSize
        self.failureBackoff = failureBackoff
        self.logger = logger
    }

    /// Runs until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                let (published, failed) = try await publishPending()
                if failed > 0 {
                    await doorbell.wait(until: Date().addingTimeInterval(failureBackoff.seconds))
                } else if published < batchSize {
                    await doorbell.wait()
                }
            } catch {
                if Task.isCancelled { return }
                logger.error("outbox relay pass failed", metadata: ["error": "\(error)"])
                await doorbell.wait(until: Date().addingTimeInterval(failureBackoff.seconds))
            }
        }
    }

    /// Publishes pending rows batch after batch until none is left or one fails (at most
    /// `maxBatches` batches); used once on a graceful stop. Returns how many were published.
    @discardableResult
    public func flush(maxBatches: Int = 20) async throws(SagaStoreError) -> Int {
        var total = 0
        for _ in 0..<maxBatches {
            let (published, failed) = try await publishPending()
            total += published
            if failed > 0 || published < batchSize { break }
        }
        return total
    }

    /// Publishes one batch of pending rows; returns how many were published and how many failed.
    @discardableResult
    public func publishPending() async throws(SagaStoreError) -> (published: Int, failed: Int) {
        let rows = try await store.pendingOutbox(limit: batchSize)
        guard !rows.isEmpty else { return (0, 0) }
        let results = await publisher.publish(rows.map(\.message))
        var delivered: [Int64] = []
        var failed = 0
        for (row, error) in zip(rows, results) {
            if let error {
                failed += 1
                if !(error is OutboxRelayError) {
                    logger.warning("outbox message not delivered", metadata: [
                        "topic": "\(row.message.topic)", "outbox_id": "\(row.id)", "error": "\(error)",
                        "saga_id": "\(String(decoding: row.message.key, as: UTF8.self))",
                        "message_id": "\(row.message.headers.string(SagaHeaders.messageID) ?? "")",
                    ])
                }
            } else {
                delivered.append(row.id)
            }
        }
        try await store.markPublished(delivered, at: Date())
        return (delivered.count, failed)
    }
}
