import Kafka

/// Sends a validated ``EventBatch`` and reports where each record went.
struct BatchPublisher: Sendable {
    /// The outcome of one record.
    struct Outcome: Sendable {
        /// The record.
        var record: EventBatch.Record
        /// Where it was stored, or why not; nil when no delivery report came (the producer stopped).
        var result: Result<KafkaDeliveryReport, KafkaError>?
    }

    let producer: KafkaProducer

    /// Queues every record to `topic` in input order (one key stays on one partition, in order)
    /// and waits for all delivery reports; `progress` is called after each with the count so far.
    func publish(_ records: [EventBatch.Record], to topic: String, progress: (Int) -> Void) async throws -> [Outcome] {
        var positions: [KafkaMessageID: Int] = [:]
        for (index, record) in records.enumerated() {
            let id = try await producer.enqueue(
                KafkaMessage(topic: topic, key: record.key, value: record.value, headers: record.headers))
            positions[id] = index
        }
        var outcomes = records.map { Outcome(record: $0, result: nil) }
        var reported = 0
        var deliveries = producer.deliveries.makeAsyncIterator()
        while reported < records.count, let delivery = await deliveries.next() {
            guard let index = positions[delivery.id] else { continue }
            outcomes[index].result = delivery.result
            reported += 1
            progress(reported)
        }
        return outcomes
    }
}
