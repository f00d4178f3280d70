/// What whoever takes messages from ``ConsumerStateMachine`` must do next: a task taking one
/// (``ConsumerStateMachine/next(completing:byRunLoop:)``, delivering a
/// ``ConsumerStateMachine/Taken``) or the `run(batchesOf:)` loop taking several
/// (``ConsumerStateMachine/nextBatch(completing:limit:into:)``, delivering how many it appended).
enum TakeAction<Delivery> {
    /// Hand out what was taken. Broadcast first when `wake` (the prefetch fell below its low
    /// mark, or a revoke waits for the handler that just finished).
    case deliver(Delivery, wake: Bool)
    /// Hand `batch` to librdkafka first (the caller holds the store token), then call
    /// ``ConsumerStateMachine/offsetsStored()``, broadcast, and ask again with nothing to complete.
    case storeOffsets(OffsetBatch)
    /// Nothing more will be handed out (stopping or closing).
    case end(wake: Bool)
    /// Nothing queued: wait for a message (``ConsumerStateMachine/waiterArrived(_:cancelled:)``).
    case wait(wake: Bool)
    case fail(KafkaError, wake: Bool)
}

extension TakeAction: Equatable where Delivery: Equatable {}

/// The batch flow of ``ConsumerStateMachine``: the `run(batchesOf:)` loop records a whole
/// batch's offsets and takes the next batch under one lock.
extension ConsumerStateMachine {
    /// Records `completing` (the messages of a batch whose handler returned: each offset + 1
    /// becomes pending) and appends up to `limit` queued messages to `taken`, in one step (the
    /// delivery is how many; they are tracked as in flight until the next call). Only
    /// the active `run` loop calls it; its batch keeps the consumer from closing, as its single
    /// message does in ``next(completing:byRunLoop:)``.
    mutating func nextBatch(
        completing: some Collection<(partition: TopicPartition, offset: Int64)>, limit: Int, into taken: inout [Message]
    ) -> TakeAction<Int> {
        switch state {
        case .runLoop:
            break
        case .running, .stopping, .closing:
            // Nothing more is handed out; the last batch's offsets are recorded.
            guard !completing.isEmpty else { return .end(wake: false) }
            switch completeBatch(completing) {
            case .none: return .end(wake: false)
            case .signal: return .end(wake: true)
            case .storeOffsets(let batch): return .storeOffsets(batch)
            case .fail(let error): return .fail(error, wake: false)
            }
        case .released, .closed, .modifying:
            guard let first = completing.first else { return .end(wake: false) }
            return .fail(.closed("store offset", topic: first.partition.topic), wake: false)
        }
        var wake = false
        if !completing.isEmpty {
            switch completeBatch(completing) {
            case .none: break
            case .signal: wake = true
            case .storeOffsets(let batch): return .storeOffsets(batch)
            case .fail(let error): return .fail(error, wake: false)
            }
        }
        let queuedBefore = handoff.count
        var count = 0
        while count < limit, let message = handoff.take() {
            membership.inFlight.insert(message.topicPartition)
            taken.append(message)
            count += 1
        }
        if count > 0 {
            // The prefetch fell below its low mark with this batch: the event thread polls again.
            if queuedBefore >= prefetchLow && handoff.count < prefetchLow { wake = true }
            return .deliver(count, wake: wake)
        }
        if let failure = failure { return .fail(failure, wake: wake) }
        return .wait(wake: wake)
    }

    /// Records the offsets of a batch whose handler returned; nothing is in flight any more.
    private mutating func completeBatch(_ completing: some Collection<(partition: TopicPartition, offset: Int64)>) -> Completion {
        for message in completing {
            if let error = membership.record(message.partition, next: message.offset + 1) { return .fail(error) }
        }
        membership.inFlight.removeAll()
        // A revoke waiting for this batch is woken by the broadcast after the store, if any.
        if let batch = membership.takeBatch(ifAtLeast: storeBatchLimit) { return .storeOffsets(batch) }
        return membership.revoking == nil ? .none : .signal
    }
}
