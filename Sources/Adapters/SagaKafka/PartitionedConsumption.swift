import SagaCore
import Kafka

/// Consumes with `workers` concurrent lanes: every partition belongs to one lane
/// (``LaneAssignment``: spread evenly in the order they first carry a message), so messages of
/// a partition are handled one after the other, in offset order, and each offset is stored
/// only after its handler returned; different partitions are handled concurrently. At most
/// `window` messages are between fetch and offset store, so a slow lane cannot make the process
/// buffer without bound.
///
/// A handler that throws ends consumption: its message's offset is not stored (so the message
/// is redelivered), the other lanes stop, and the error is rethrown. Cancellation stops
/// consumption without an error; messages fetched but not handled are redelivered.
///
/// A lane takes every message waiting for it, up to `batchSize`, and hands them to its handler
/// together; their offsets are stored after the handler returned for all of them.
enum PartitionedConsumption {
    static func run(
        _ consumer: KafkaConsumer, workers: Int, window: Int, batchSize: Int = 1,
        handler: @escaping @Sendable ([KafkaConsumerMessage]) async throws -> Void
    ) async throws {
        let permits = Permits(window)
        let lanes = (0..<max(1, workers)).map { _ in LaneQueue<KafkaConsumerMessage>() }
        defer { for lane in lanes { lane.finish() } }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var assignment = LaneAssignment(lanes: lanes.count)
                    for try await message in consumer.messages {
                        guard await permits.acquire() else { return }
                        lanes[assignment.lane(of: message.topicPartition)].append(message)
                    }
                }
                for lane in lanes {
                    group.addTask {
                        while let batch = await lane.next(limit: batchSize) {
                            defer { for _ in batch { permits.release() } }
                            try await handler(batch)
                            for message in batch { try markProcessed(message, consumer) }
                        }
                    }
                }
                // The first lane to fail, or the fetcher ending (consumer closed or cancelled), ends all.
                try await group.next()
                group.cancelAll()
                permits.cancel()
                for lane in lanes { lane.finish() }
                try await group.waitForAll()
            }
        } catch {
            await consumer.close()
            if Task.isCancelled, error is CancellationError { return }
            throw error
        }
        await consumer.close()
    }

    /// Stores the message's offset. A partition revoked meanwhile is not an error: its new
    /// owner gets the message again, and the inbox makes that second delivery harmless.
    static func markProcessed(_ message: KafkaConsumerMessage, _ consumer: KafkaConsumer) throws(KafkaError) {
        do {
            try consumer.markProcessed(message)
        } catch where error.code == .state {
            return
        }
    }
}
