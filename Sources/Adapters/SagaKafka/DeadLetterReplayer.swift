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
    public let producer: KafkaProducer
    /// Records replays.
    public let store: any SagaStore

    /// Creates a replayer.
    public init(producer: KafkaProducer, store: any SagaStore) {
        self.producer = producer
        self.store = store
    }

    /// Replays `dlqRecord` (a record consumed from a `.dlq` topic); returns the replay record.
    public func replay(_ dlqRecord: InboundMessage, replayID: String = UUID().uuidString.lowercased(), force: Bool = false)
        async throws -> ReplayRecord
    {
        guard let origin = DeadLetterRecord.origin(of: dlqRecord),
            let message = DeadLetterRecord.replay(of: dlqRecord, replayID: replayID)
        else {
            throw DeadLetterReplayError.notADeadLetterRecord(coordinates: dlqRecord.coordinates)
        }
        let record = try await store.beginReplay(
            ReplayRequest(replayID: replayID, dlqTopic: dlqRecord.topic, dlqPartition: dlqRecord.partition,
                dlqOffset: dlqRecord.offset, originalTopic: origin.topic, requestedAt: Date()),
            force: force
        )
        do {
            _ = try await producer.send(KafkaMessage(message, partition: origin.partition))
        } catch {
            try await store.finishReplay(replayID: replayID, outcome: .notPublished, detail: String(describing: error), at: Date())
            throw error
        }
        return record
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
