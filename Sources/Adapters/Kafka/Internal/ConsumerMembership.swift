/// Offsets to hand to librdkafka in one `rd_kafka_offsets_store`: the next offset to read
/// (processed message's offset + 1) per partition.
typealias OffsetBatch = [TopicPartition: Int64]

/// What a consumer knows about its group membership while its handle is open: the assigned
/// partitions, the offsets of processed messages (pending, and as last handed to librdkafka),
/// the `run` handler in flight, and who is using the handle outside the lock. Kept by
/// ``ConsumerStateMachine`` beside its state (changed in place on every message); pure
/// bookkeeping, it never calls librdkafka.
struct ConsumerMembership {
    /// The partitions the group assigned (changed only by rebalances, on the event thread).
    var assignment: Set<TopicPartition> = []
    /// The last partition ``record(_:next:)`` found assigned (reset on every assignment
    /// change): a fast path that skips hashing for runs of messages from one partition.
    private var lastAssigned: TopicPartition?
    /// Offsets of processed messages not yet handed to librdkafka. Handed over before every
    /// poll, before a revoke commits, on close, on commit, and every `storeBatchLimit` records.
    private var pendingOffsets: OffsetBatch = [:]
    /// The newest pending offset, kept outside the dictionary while messages keep coming from
    /// one partition (no hashing per message).
    private var pendingLast: (partition: TopicPartition, next: Int64)?
    /// Records since pending offsets were last taken.
    private(set) var pendingStores = 0
    /// The next offset after the last processed message per partition, as last handed to
    /// librdkafka (for lag; pending offsets are newer).
    private var storedOffsets: OffsetBatch = [:]
    /// The store token: a thread took pending offsets and is handing them to librdkafka
    /// outside the lock. One store at a time, so offsets never reach librdkafka out of order,
    /// and blocking steps (poll, revoke, commit, close) wait until it is back.
    var storeInFlight = false
    /// Uses of the handle in progress outside the lock (librdkafka calls, converting and
    /// destroying a taken message). The handle is destroyed only once this is 0 and no store
    /// is in flight.
    var handleUsers = 0
    /// The partitions a revoke (on the event thread) is giving up while it waits for the
    /// handler in flight on one of them: whoever finishes that handler must signal.
    var revoking: Set<TopicPartition>?
    /// The partitions of the messages the `run` loop's handler works on (a revoke of one waits).
    var inFlight = InFlightPartitions()

    /// Whether the handle is free of uses outside the lock (it may then be destroyed).
    var isIdle: Bool { handleUsers == 0 && !storeInFlight }

    /// Records `next` (a processed message's offset + 1) as pending, or fails when the
    /// partition is no longer assigned (the group redelivers the message to its new owner).
    /// The check cannot go stale: a revoke takes the partition out of the assignment and
    /// the pending offsets in one step under the lock, then stores them before it commits.
    mutating func record(_ partition: TopicPartition, next: Int64) -> KafkaError? {
        guard lastAssigned == partition || assignment.contains(partition) else {
            return KafkaError(code: .state, message: "partition no longer assigned to this consumer; the group will redeliver the message",
                              operation: "store offset", topic: partition.topic, partition: partition.partition, offset: next - 1)
        }
        lastAssigned = partition
        if let last = pendingLast {
            if last.partition == partition {
                if last.next < next { pendingLast = (partition, next) }
                pendingStores += 1
                return nil
            }
            mergePendingLast()
        }
        pendingLast = (partition, next)
        pendingStores += 1
        return nil
    }

    /// Takes the pending offsets and the store token when `limit` records are pending and no
    /// other store is in flight (otherwise they stay pending for the next store).
    mutating func takeBatch(ifAtLeast limit: Int) -> OffsetBatch? {
        guard pendingStores >= limit else { return nil }
        return takePending()
    }

    /// Takes every pending offset and the store token; `nil` when nothing is pending or
    /// another store is in flight (blocking callers wait for the token first).
    mutating func takePending() -> OffsetBatch? {
        guard !storeInFlight else { return nil }
        mergePendingLast()
        guard !pendingOffsets.isEmpty else { return nil }
        let batch = pendingOffsets
        storedOffsets.merge(batch) { max($0, $1) }
        pendingOffsets.removeAll(keepingCapacity: true)
        pendingStores = 0
        storeInFlight = true
        return batch
    }

    /// Replaces (eager) or extends (cooperative) the assignment.
    mutating func assign(_ partitions: [TopicPartition], cooperative: Bool) {
        if !cooperative { assignment = [] }
        assignment.formUnion(partitions)
        lastAssigned = nil
    }

    /// Removes `partitions` (eager: everything) from the assignment.
    mutating func unassign(_ partitions: Set<TopicPartition>, cooperative: Bool) {
        assignment.subtract(partitions)
        if !cooperative { assignment = [] }
        lastAssigned = nil
    }

    /// What the lag report needs: per assigned partition the offset after its last processed
    /// message (stored or pending), or `nil` when nothing was processed since it was assigned.
    /// Forgets stored offsets of partitions no longer assigned.
    mutating func processedPositions() -> [TopicPartition: Int64?] {
        mergePendingLast()
        storedOffsets = storedOffsets.filter { assignment.contains($0.key) }
        var result: [TopicPartition: Int64?] = [:]
        for partition in assignment {
            let processed = max(pendingOffsets[partition] ?? -1, storedOffsets[partition] ?? -1)
            result[partition] = processed >= 0 ? processed : nil
        }
        return result
    }

    private mutating func mergePendingLast() {
        guard let last = pendingLast else { return }
        if (pendingOffsets[last.partition] ?? .min) < last.next { pendingOffsets[last.partition] = last.next }
        pendingLast = nil
    }
}
