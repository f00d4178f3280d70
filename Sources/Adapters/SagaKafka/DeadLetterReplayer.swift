import SagaCore
import Foundation
import Kafka

/// Re-publishes dead-lettered records to their original topic and partition, each tagged with
/// a replay id; the store records every replay, and the consuming service records its outcome
/// (succeeded, or dead-lettered again). A DLQ record is replayed at most once unless forced.
///
/// Use the store of the service that consumes the original topic, so that it finds the replay
/// record when it processes the replayed message.
public struct DeadLetterReplayer: Sendable {
    /// Publishes replays.
    public let publisher: DeadLetterPublisher
    /// Records replays.
    public let store: any SagaStore

    /// Creates a replayer.
    public init(producer: KafkaProducer, store: any SagaStore) {
        self.publisher = DeadLetterPublisher(producer: producer)
        self.store = store
    }

    /// Replays `dlqRecord` (a record consumed from a `.dlq` topic); returns the replay record.
    public func replay(_ dlqRecord: InboundMessage, replayID: String = UUID().uuidString.lowercased(), force: Bool = false)
        async throws -> ReplayRecord
    {
        guard let origin = DeadLetterRecord.origin(of: dlqRecord) else {
            throw DeadLetterReplayError.notADeadLetterRecord(coordinates: dlqRecord.coordinates)
        }
        let record = try await store.beginReplay(
            ReplayRequest(replayID: replayID, dlqTopic: dlqRecord.topic, dlqPartition: dlqRecord.partition,
                dlqOffset: dlqRecord.offset, originalTopic: origin.topic, requestedAt: Date()),
            force: force
        )
        do {
            _ = try await publisher.publish(dlqRecord, replayID: replayID)
        } catch {
            try await store.finishReplay(replayID: replayID, outcome: .notPublished, detail: String(describing: error), at: Date())
            throw error
        }
        return record
    }
}

/// Publishes the replay of a dead letter (``DeadLetterRecord/replay(of:replayID:value:annotations:)``)
/// to its original topic and partition, recording nothing: what a replay became is read back
/// from Kafka (``DeadLetterQueue/replays(of:)``).
public struct DeadLetterPublisher: Sendable {
    /// Publishes replays.
    public let producer: KafkaProducer
    /// Applied to each replay before it is sent (the server's wire format), when set.
    public let outgoing: (@Sendable (OutgoingMessage) -> OutgoingMessage)?

    /// Creates a publisher.
    public init(producer: KafkaProducer, outgoing: (@Sendable (OutgoingMessage) -> OutgoingMessage)? = nil) {
        self.producer = producer
        self.outgoing = outgoing
    }

    /// Publishes the replay of `dlqRecord` (with `value` instead of its own when given) and returns where it landed.
    public func publish(
        _ dlqRecord: InboundMessage, replayID: String, value: [UInt8]? = nil, annotations: [SagaHeader] = []
    ) async throws -> KafkaDeliveryReport {
        guard let origin = DeadLetterRecord.origin(of: dlqRecord),
            var message = DeadLetterRecord.replay(of: dlqRecord, replayID: replayID, value: value, annotations: annotations)
        else {
            throw DeadLetterReplayError.notADeadLetterRecord(coordinates: dlqRecord.coordinates)
        }
        if let outgoing { message = outgoing(message) }
        return try await producer.send(KafkaMessage(message, partition: origin.partition))
    }
}

/// A replay could not be made.
public enum DeadLetterReplayError: Error, CustomStringConvertible {
    /// The record lacks the `kafka_dlt-original-*` headers.
    case notADeadLetterRecord(coordinates: String)

    /// A readable description.
    public var description: String {
        switch self {
        case .notADeadLetterRecord(let coordinates): "\(coordinates) has no kafka_dlt-original-* headers: not a DLQ record"
        }
    }
}
