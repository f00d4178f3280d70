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

/// The outgoing messages that keep their order among themselves: one key on one topic (Kafka
/// orders records within a partition only). The relay never has two messages of a lane in
/// flight at once, and an ``OutboxPublisher`` sends a lane's messages one after the other.
public struct OutboxLane: Hashable, Sendable {
    /// The topic.
    public var topic: String
    /// The record key (the saga id).
    public var key: [UInt8]

    /// The lane of `message`.
    public init(_ message: OutgoingMessage) {
        topic = message.topic
        key = message.key
    }
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
/// neither polls nor lags; it sends rows committed while earlier batches await their delivery
/// reports, and after a delivery failure retries the failed rows after ``failureBackoff``.
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
    /// Batches awaiting their delivery reports at once.
    public var maxBatchesInFlight: Int
    private let logger: Logger

    /// Creates a relay.
    public init(
        store: any SagaStore, publisher: any OutboxPublisher, doorbell: Doorbell, batchSize: Int = 500,
        failureBackoff: Duration = .milliseconds(500), maxBatchesInFlight: Int = 2, logger: Logger = Logger(label: "saga.outbox")
    ) {
        self.maxBatchesInFlight = max(1, maxBatchesInFlight)
        self.store = store
        self.publisher = publisher
        self.doorbell = doorbell
        self.batchSize = batchSize
        self.failureBackoff = failureBackoff
        self.logger = logger
    }

    /// Runs until the task is cancelled: reads what is pending and sends it as a batch, and
    /// while batches await their delivery reports (up to ``maxBatchesInFlight``) sends the rows
    /// committed since, except those behind an earlier row of the same topic and key that is
    /// still in flight (they go once it is published). Sleeps on the doorbell, which commits and
    /// finished batches ring.
    public func run() async {
        let pipeline = RelayPipeline()
        // Discarding: a relay runs for the life of its service, and a plain task group would keep
        // every finished batch's task until awaited.
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                if pipeline.batchesInFlight >= maxBatchesInFlight {
                    await doorbell.wait()
                    continue
                }
                let pending: [OutboxRecord]
                let generation = pipeline.generation
                do {
                    pending = try await store.pendingOutbox(limit: batchSize, excluding: pipeline.rowsInFlight)
                } catch {
                    if Task.isCancelled { break }
                    logger.error("outbox relay pass failed", metadata: ["error": "\(error)"])
                    await doorbell.wait(until: Date().addingTimeInterval(failureBackoff.timeInterval))
                    continue
                }
                guard let batch = pipeline.take(pending, limit: batchSize, readAt: generation) else { continue }
                guard !batch.isEmpty else {
                    await doorbell.wait()
                    continue
                }
                group.addTask { await self.send(batch, pipeline: pipeline) }
                // All that was pending went (or waits behind a batch, whose end rings): sleep until
                // a commit or a finished batch rings, rather than read again at once.
                if batch.count < batchSize { await doorbell.wait() }
            }
            group.cancelAll()
        }
    }

    /// Publishes and marks `batch`, then releases it (its failed rows after ``failureBackoff``)
    /// and rings the doorbell so that the rows behind it go.
    private func send(_ batch: [OutboxRecord], pipeline: RelayPipeline) async {
        let failed: Int
        do {
            failed = try await publish(batch)
        } catch {
            logger.error("outbox rows published but not marked; they will be sent again", metadata: ["error": "\(error)"])
            failed = batch.count
        }
        if failed > 0 { try? await Task.sleep(for: failureBackoff) }  // cancelled: release at once, the stop flushes
        pipeline.release(batch)
        await doorbell.ring()
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
        let failed = try await publish(rows)
        return (rows.count - failed, failed)
    }

    /// Publishes `rows` and marks the delivered ones published; returns how many failed.
    private func publish(_ rows: [OutboxRecord]) async throws(SagaStoreError) -> Int {
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
        // Marked even while the relay stops (in a task of its own, which cancellation does not
        // reach): the rows are out, and a row left unmarked is sent again at the next start.
        let store = store
        let marked = await Task { () async -> SagaStoreError? in
            do throws(SagaStoreError) { try await store.markPublished(delivered, at: Date()) } catch { return error }
            return nil
        }.value
        if let marked { throw marked }
        return failed
    }
}
