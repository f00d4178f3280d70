/// The `run(batchesOf:)` loop's side of the handoff: one lock per batch instead of one per
/// message.
extension ConsumerCore {
    /// Messages taken from the handoff for one batch, before they are converted; kept by the
    /// loop between batches so its storage is reused.
    typealias TakenMessages = [QueuedMessage]

    /// Without suspending unless nothing is queued: records the offsets of `completed` (a batch
    /// whose handler returned; empty for none), then replaces `batch` with the next one: every
    /// queued message up to `limit`, at least one (waiting for it when nothing is queued).
    /// Returns `false` once the consumer stops or closes (the offsets of `completed` are
    /// recorded first).
    func nextBatch(
        completing completed: [KafkaConsumerMessage], limit: Int, taken: inout TakenMessages, into batch: inout [KafkaConsumerMessage]
    ) async throws -> Bool {
        switch try takeBatch(completing: completed, limit: limit, taken: &taken) {
        case .end:
            return false
        case .deliver:
            convert(&taken, into: &batch)
            return true
        case .wait:
            break
        }
        // Nothing queued: wait for one message like the single-message loop, then add whatever
        // arrived with it.
        guard let first = try await next(byRunLoop: true) else { return false }
        batch.removeAll(keepingCapacity: true)
        batch.append(first)
        if limit > 1, case .deliver = try takeBatch(completing: [], limit: limit - 1, taken: &taken) {
            convert(&taken, into: &batch, keeping: true)
        }
        return true
    }

    /// Records `completed` and takes up to `limit` queued messages into `taken`, under one lock
    /// (two when a batch of offsets is due).
    private func takeBatch(completing completed: [KafkaConsumerMessage], limit: Int, taken: inout TakenMessages) throws(KafkaError) -> Ready<Int> {
        let action = machine.withLock {
            $0.nextBatch(completing: completed.lazy.map { (partition: $0.topicPartition, offset: $0.offset) }, limit: limit, into: &taken)
        }
        return try settle(action) {
            machine.withLock { $0.nextBatch(completing: EmptyCollection<(partition: TopicPartition, offset: Int64)>(), limit: limit, into: &taken) }
        }
    }

    /// Converts and destroys the taken messages into `batch` (replacing its contents unless
    /// `keeping`). The run loop's batch keeps the consumer open: no handle use is counted.
    private func convert(_ taken: inout TakenMessages, into batch: inout [KafkaConsumerMessage], keeping: Bool = false) {
        if !keeping { batch.removeAll(keepingCapacity: true) }
        for queued in taken {
            batch.append(queued.convert())
            queued.destroy()
        }
        taken.removeAll(keepingCapacity: true)
    }
}
