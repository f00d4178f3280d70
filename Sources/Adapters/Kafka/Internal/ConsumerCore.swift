import CRdKafka
import Logging

/// The consumer's librdkafka side. A dedicated thread blocks in `rd_kafka_consumer_poll`
/// (woken by librdkafka when a message or rebalance arrives, and by `rd_kafka_queue_yield`
/// to close), then takes what librdkafka already has (up to `batchLimit`) into a bounded
/// handoff queue, unconverted: a message is copied into Swift values by the thread that
/// takes it. It polls only when a caller waits for a message, or, under `run`, when the queue
/// runs low (so the next batch is polled while handlers work); nothing else is buffered in
/// Swift.
///
/// Rebalances (eager and cooperative) run on that thread inside the poll: on revoke, queued
/// messages of the revoked partitions are dropped (never processed, so redelivered to the
/// next owner), a `run` handler still working on one of them finishes, the processed offsets
/// are stored and committed, and only then are the partitions given up.
///
/// Its state is a ``ConsumerStateMachine`` behind a lock: the lock is held only while an
/// event is fed to the machine, and every action it returns (librdkafka calls, converting and
/// destroying messages, resuming tasks, signalling) is performed after the lock is released.
/// The machine's documentation says how the handle's lifetime, wake-ups, revokes and offsets
/// stay correct that way.
final class ConsumerCore: Sendable {
    typealias Waiter = CheckedContinuation<KafkaConsumerMessage?, any Error>
    typealias Machine = ConsumerStateMachine<QueuedMessage, Waiter>

    static let batchLimit = 1024
    static let prefetchLow = batchLimit / 2
    static let storeBatchLimit = 256

    /// Messages polled in the current round and not yet handed off, and the topic names of
    /// polled messages.
    ///
    /// `@unchecked Sendable`: touched only on the consumer's event thread (by the poll loop
    /// and by the rebalance callback, which librdkafka runs inside that thread's poll).
    final class PollRound: @unchecked Sendable {
        @exclusivity(unchecked) var messages: [QueuedMessage?] = []
        let topicNames = TopicNameCache()
    }
    let round: PollRound

    let client: RdClient
    let logger: Logger
    let queue: RdQueue
    /// The state machine. Only its methods run with the lock held.
    let machine: ConditionLock<Machine>

    init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        guard let groupID = configuration.groupID, !groupID.isEmpty, !groupID.allSatisfy(\.isWhitespace) else {
            throw .configuration(property: "group.id", reason: "a KafkaConsumer needs a consumer group (KafkaConfiguration.groupID)")
        }
        if let store = configuration.properties["enable.auto.offset.store"], store != "false" {
            throw .configuration(property: "enable.auto.offset.store",
                                 reason: "must be false: KafkaConsumer stores an offset only after its message was processed")
        }
        var properties = configuration.librdkafkaProperties(for: .consumer)
        properties.append(("enable.auto.offset.store", "false"))
        let machine = ConditionLock(Machine(prefetchLow: Self.prefetchLow, storeBatchLimit: Self.storeBatchLimit))
        let round = PollRound()
        let logger = logger
        client = try RdClient(role: .consumer, properties: properties, logger: logger) { rk, err, partitions in
            ConsumerCore.rebalance(rk, err, partitions, machine: machine, round: round, logger: logger)
        }
        self.machine = machine
        self.round = round
        self.logger = logger
        rd_kafka_poll_set_consumer(client.handle)
        queue = RdQueue(rd_kafka_queue_get_consumer(client.handle))
        DedicatedThread.start(name: "kafka-consumer") { [self] in runPollLoop() }
    }

    // MARK: Calls from Swift

    var isRunLoopActive: Bool { machine.withLock { $0.isRunLoopActive } }

    var assignment: Set<TopicPartition> { machine.withLock { $0.assignment } }

    func subscribe(_ topics: [String]) throws(KafkaError) {
        guard machine.withLock({ $0.handleUseStarted() }) else { throw .closed("subscribe") }
        let list = TopicPartitionList.make(topics.map { ($0, RD_KAFKA_PARTITION_UA, Int64(RD_KAFKA_OFFSET_INVALID)) })
        let err = rd_kafka_subscribe(client.handle, list)
        rd_kafka_topic_partition_list_destroy(list)
        endHandleUse()
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, operation: "subscribe", topic: topics.count == 1 ? topics[0] : nil)
        }
    }

    /// Records `offset + 1` of a processed message, to be committed (in the background, on
    /// revoke and on close). Stores are batched: librdkafka gets them before the next poll.
    func store(_ message: KafkaConsumerMessage) throws(KafkaError) {
        switch machine.withLock({ $0.processed(message.topicPartition, next: message.offset + 1) }) {
        case .none: return
        case .storeOffsets(let batch): if let error = Self.store(batch, handle: client.handle, machine: machine) { throw error }
        case .fail(let error): throw error
        }
    }

    /// Hands `batch` to librdkafka (the caller holds the store token), gives the token back
    /// and wakes whoever waits for it (the event thread before a poll, a revoke, a commit).
    static func store(_ batch: OffsetBatch, handle: OpaquePointer, machine: ConditionLock<Machine>) -> KafkaError? {
        let list = TopicPartitionList.make(batch.map { ($0.key.topic, $0.key.partition, $0.value) })
        let err = rd_kafka_offsets_store(handle, list)
        let error = TopicPartitionList.firstError(list, operation: "store offset")
            ?? (err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(err, operation: "store offset"))
        rd_kafka_topic_partition_list_destroy(list)
        machine.withLock { $0.offsetsStored() }
        machine.broadcast()
        return error
    }

    /// Ends a counted use of the handle, waking the event thread if it waits to destroy it.
    func endHandleUse() {
        if machine.withLock({ $0.handleUseEnded() }) { machine.broadcast() }
    }

    /// Commits the stored offsets now (blocking; call from a dedicated thread).
    func commitBlocking() -> KafkaError? {
        guard machine.withLock({ $0.handleUseStarted() }) else { return .closed("commit") }
        defer { endHandleUse() }
        // Waits for a store in flight on another thread, so everything recorded is committed.
        let pending = machine.wait(until: { $0.storeTokenFree }) { $0.commitStoring() }
        if let pending, let error = Self.store(pending, handle: client.handle, machine: machine) { return error }
        // A commit takes a broker round trip; the counted use keeps the handle alive meanwhile.
        let err = rd_kafka_commit(client.handle, nil, 0)
        if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET { return nil }
        return KafkaError(err, operation: "commit")
    }

    /// What a take came to: something to hand out, the end (stopping or closing), or nothing
    /// queued (wait for the event thread).
    enum Ready<Delivery> { case deliver(Delivery), end, wait }

    /// Performs a take's `action`: stores offsets when due (then takes again with `retake`),
    /// broadcasts only when a waiter needs it (a revoke waiting for the finished handler, or
    /// the event thread once the `run` prefetch dropped below its low mark), throws a failure.
    func settle<Delivery>(
        _ action: TakeAction<Delivery>, retake: () -> TakeAction<Delivery>
    ) throws(KafkaError) -> Ready<Delivery> {
        var action = action
        while true {
            switch action {
            case .deliver(let delivery, let wake):
                if wake { machine.broadcast() }
                return .deliver(delivery)
            case .storeOffsets(let batch):
                if let error = Self.store(batch, handle: client.handle, machine: machine) { throw error }
                action = retake()
            case .end(let wake):
                if wake { machine.broadcast() }
                return .end
            case .wait(let wake):
                if wake { machine.broadcast() }
                return .wait
            case .fail(let error, let wake):
                if wake { machine.broadcast() }
                throw error
            }
        }
    }

    /// Without suspending: stores `completed` (a processed message, if given) and takes the
    /// next queued message, under one lock (two when a batch of offsets is due). `.end` once
    /// closing; `.wait` when nothing is queued (then ``next(completing:byRunLoop:)`` waits
    /// for the event thread). `byRunLoop`: called by the active `run` loop.
    func nextIfReady(completing completed: KafkaConsumerMessage?, byRunLoop: Bool) throws(KafkaError) -> Ready<KafkaConsumerMessage> {
        let action = machine.withLock { $0.next(completing: completed.map { ($0.topicPartition, $0.offset) }, byRunLoop: byRunLoop) }
        switch try settle(action, retake: { machine.withLock { $0.next(completing: nil, byRunLoop: byRunLoop) } }) {
        case .deliver(let taken): return .deliver(deliver(taken.message, counted: taken.counted))
        case .end: return .end
        case .wait: return .wait
        }
    }

    /// Converts and destroys a taken message, ending its handle use when it was counted.
    private func deliver(_ queued: QueuedMessage, counted: Bool) -> KafkaConsumerMessage {
        let message = queued.convert()
        queued.destroy()
        if counted { endHandleUse() }
        return message
    }

    /// The next message, `nil` once the consumer is closed or the task is cancelled.
    /// `completed`, if given, is a processed message whose offset is stored first.
    func next(completing completed: KafkaConsumerMessage? = nil, byRunLoop: Bool = false) async throws -> KafkaConsumerMessage? {
        switch try nextIfReady(completing: completed, byRunLoop: byRunLoop) {
        case .deliver(let message): return message
        case .end: return nil
        case .wait: break
        }
        let id = machine.withLock { $0.makeWaiterID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: Waiter) in
                let cancelled = Task.isCancelled
                let action = machine.withLock {
                    $0.waiterArrived(.init(id: id, waiter: continuation, runLoop: byRunLoop), cancelled: cancelled)
                }
                machine.broadcast()  // the event thread may now have work
                switch action {
                case .queued: break
                case .end: continuation.resume(returning: nil)
                case .fail(let error): continuation.resume(throwing: error)
                case .deliver(let queued, let counted): continuation.resume(returning: deliver(queued, counted: counted))
                }
            }
        } onCancel: {
            machine.withLock { $0.waiterCancelled(id: id) }?.resume(returning: nil)
        }
    }

    /// Marks the start of a `run` loop; only one may be active.
    func beginRun() throws(KafkaError) {
        if let error = machine.withLock({ $0.runStarted() }) { throw error }
    }

    /// Marks the end of a `run` loop (before it closes the consumer).
    func endRun() {
        switch machine.withLock({ $0.runEnded() }) {
        case .signal: machine.broadcast()
        case .startClose(let dropped): startClose(dropping: dropped)
        }
    }

    /// Asks the event thread to close the consumer; returns at once. While a `run` loop is
    /// active, asks that loop to stop after its current handler instead; it then closes.
    func requestClose() {
        switch machine.withLock({ $0.closeRequested() }) {
        case .none:
            return
        case .stopRunLoop(let waiters):
            machine.broadcast()
            for waiter in waiters { waiter.resume(returning: nil) }
        case .startClose(let dropped):
            startClose(dropping: dropped)
        }
    }

    /// The consumer entered `closing`: wakes the event thread (waiting for work, or blocked in
    /// a poll: the yield), and destroys the dropped messages. Both use the handle under the
    /// use the machine counted for this, so the event thread cannot destroy the queue or the
    /// handle before the yield returned (the use-after-free the old code avoided by yielding
    /// with the lock held).
    private func startClose(dropping dropped: [QueuedMessage]) {
        machine.broadcast()
        for queued in dropped { queued.destroy() }
        rd_kafka_queue_yield(queue.handle)
        endHandleUse()
    }

    /// Closes (committing processed offsets and leaving the group) and waits until done.
    func closeBlocking() {
        requestClose()
        machine.wait(until: { $0.isClosed }) { _ in }
    }
}
