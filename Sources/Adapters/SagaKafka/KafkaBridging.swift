import SagaCore
import Kafka

extension InboundMessage {
    /// The engine's view of a consumed Kafka record (a missing key or value reads as empty).
    public init(_ message: KafkaConsumerMessage) {
        self.init(
            topic: message.topic, partition: message.partition, offset: message.offset,
            timestampMilliseconds: message.timestampMilliseconds, key: message.key ?? [], value: message.value ?? [],
            headers: message.headers.map { SagaHeader(key: $0.name, value: $0.value ?? []) }
        )
    }
}

extension KafkaMessage {
    /// The Kafka record for an outgoing engine message (an empty key means no key).
    public init(_ message: OutgoingMessage, partition: Int32? = nil) {
        self.init(
            topic: message.topic, partition: partition, key: message.key.isEmpty ? nil : message.key, value: message.value,
            headers: message.headers.map { KafkaHeader(name: $0.key, value: $0.value) }
        )
    }
}

/// Publishes outbox rows with a ``KafkaProducer`` (idempotent, `acks=all` by default).
///
/// Messages of one key to one topic are sent one after the other, each only after the previous
/// one's delivery report; the others are sent concurrently, so a batch of many sagas is in
/// flight at once while every saga's messages keep their order on each topic (Kafka orders
/// records within a partition only, so there is no order across topics to keep).
public struct KafkaOutboxPublisher: OutboxPublisher {
    /// The producer.
    public let producer: KafkaProducer
    /// Applied to each message before it is sent (see ``KafkaConsumptionHooks/outgoing``).
    public let outgoing: (@Sendable (OutgoingMessage) -> OutgoingMessage)?

    /// Creates a publisher over `producer`, applying `outgoing` to each message.
    public init(producer: KafkaProducer, outgoing: (@Sendable (OutgoingMessage) -> OutgoingMessage)? = nil) {
        self.producer = producer
        self.outgoing = outgoing
    }

    /// Publishes `messages` (see ``OutboxPublisher/publish(_:)``).
    public func publish(_ messages: [OutgoingMessage]) async -> [(any Error)?] {
        var lanes: [OutboxLane: [Int]] = [:]
        var order: [OutboxLane] = []
        for (index, message) in messages.enumerated() {
            let lane = OutboxLane(message)
            if lanes[lane] == nil { order.append(lane) }
            lanes[lane, default: []].append(index)
        }
        let producer = self.producer
        let outgoing = self.outgoing ?? { $0 }
        return await withTaskGroup(of: [(Int, (any Error)?)].self) { group in
            for key in order {
                let lane = lanes[key] ?? []
                group.addTask {
                    var results: [(Int, (any Error)?)] = []
                    var failed = false
                    for index in lane {
                        if failed {
                            results.append((index, OutboxRelayError.skippedAfterFailure(topic: messages[index].topic)))
                            continue
                        }
                        let error = await Self.send(messages[index], producer: producer, outgoing: outgoing)
                        failed = error != nil
                        results.append((index, error))
                    }
                    return results
                }
            }
            var all = [(any Error)?](repeating: nil, count: messages.count)
            for await lane in group {
                for (index, error) in lane { all[index] = error }
            }
            return all
        }
    }
}

extension KafkaOutboxPublisher {
    /// Sends `message` and waits for its delivery report; the error, or `nil` when delivered.
    static func send(
        _ message: OutgoingMessage, producer: KafkaProducer, outgoing: (OutgoingMessage) -> OutgoingMessage
    ) async -> (any Error)? {
        do {
            _ = try await producer.send(KafkaMessage(outgoing(message)))
            return nil
        } catch {
            return error
        }
    }
}

/// Publishes dead-letter records with a ``KafkaProducer`` and waits for their delivery reports.
public struct KafkaDeadLetterSink: DeadLetterSink {
    /// The producer.
    public let producer: KafkaProducer

    /// Creates a sink over `producer`.
    public init(producer: KafkaProducer) {
        self.producer = producer
    }

    /// Publishes `message` to `partition` and returns after its delivery report.
    public func publish(_ message: OutgoingMessage, partition: Int32) async throws {
        _ = try await producer.send(KafkaMessage(message, partition: partition))
    }
}
