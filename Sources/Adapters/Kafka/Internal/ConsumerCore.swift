import CRdKafka
import Logging

/// The consumer's librdkafka side. A dedicated thread blocks in `rd_kafka_consumer_poll`
/// (woken by librdkafka when a message or rebalance arrives, and by `rd_kafka_queue_yield`
/// to close), then takes what librdkafka already has (up to `batchLimit`) into a bounded
/// handoff queue, unconverted: a message is copied into Swift values by the thread that
/// takes it (under the lock; in `run` one lock per message, which also stores the previous
/// message's offset). It polls only when a caller waits for a message, or, under `run`,
/// when the queue runs low (so the next batch is polled while handlers work); nothing else
/// is buffered in Swift.
///
/// Rebalances (eager and cooperative) run on that thread inside the poll: on revoke, queued
/// messages of the revoked partitions are dropped (never processed, so redelivered to the
/// next owner), a `run` handler still working on one of them finishes, the processed offsets
/// are stored and committed, and only then are the partitions given up.
final class ConsumerCore: Sendable {
    enum Phase { case running, closing, closed }

    struct State {
        var phase: Phase = .running
        /// Polled messages not yet handed out, converted (and destroyed) only when taken.
        var handoff = MessageQueue<PolledMessage>()
        /// Topic names for converting handed-out messages (used with the lock held only).
        let topicNames = TopicNameCache()
        var waiters: [(id: UInt64, continuation: CheckedContinuation<KafkaConsumerMessage?, any Error>)] = []
        var nextWaiterID: UInt64 = 0
        var assignment: Set<TopicPartition> = []
        var failure: KafkaError?
        /// Offsets (message offset + 1) of processed messages not yet given to librdkafka.
        /// Stored in one call before the next poll (so before any rebalance can commit or
        /// revoke), on close, and every `storeBatchLimit` messages.
        var pendingOffsets: [TopicPartition: Int64] = [:]
        /// The next offset after the last processed message per partition, as last handed to
        /// librdkafka (for ``KafkaConsumer/lag()``; pending offsets are newer).
        var storedOffsets: [TopicPartition: Int64] = [:]
        var pendingStores = 0
        /// The last partition `store` found assigned (reset on rebalance): a fast path that
        /// skips hashing for runs of messages from one partition.
        var lastAssigned: TopicPartition?

        /// The most recent pending offset, kept outside the dictionary while messages keep
        /// coming from one partition (no hashing per message).
        var pendingLast: (partition: TopicPartition, next: Int64)?

        mutating func assignmentChanged() { lastAssigned = nil }

        mutating func recordPending(_ partition: TopicPartition, next: Int64) {
            if let last = pendingLast {
                if last.partition == partition {
                    if last.next < next { pendingLast = (partition, next) }
                    return
                }
                mergePendingLast()
            }
            pendingLast = (partition, next)
        }

        mutating func mergePendingLast() {
            guard let last = pendingLast else { return }
            if (pendingOffsets[last.partition] ?? .min) < last.next { pendingOffsets[last.partition] = last.next }
            pendingLast = nil
        }
        /// Blocking calls (commit) using the handle outside the lock; destroy waits for them.
        var activeBlockingCalls = 0
        /// Set (under the lock) right before the handle is destroyed; no use may start after it.
        var handleReleased = false
        /// A `run` loop is active: `close()` asks it to stop after the current handler
        /// (`stopRequested`) and the loop closes the consumer once it stored that message.
        var runActive = false
        var stopRequested = false
        /// In a `run` loop: the partition of the message whose handler is running. A revoke of
        /// that partition waits until the handler finished and its offset is recorded.
        var inFlight: TopicPartition?
        /// A revoke waits (on the event thread) for the in-flight handler: whoever clears
        /// `inFlight` must signal.
        var revokeWaiting = false

        /// Whether the event thread should poll: someone waits for a message, a `run` loop's
        /// prefetch ran low (it polls the next batch while handlers work), or it must close.
        var wantsPoll: Bool {
            phase != .running || !waiters.isEmpty
                || (runActive && !stopRequested && handoff.count < ConsumerCore.prefetchLow)
        }

        /// Takes the next message for a caller, converting it on the caller's thread (the
        /// lock is held, so the handle cannot be destroyed meanwhile) and destroying the
        /// librdkafka message; tracks it as in flight in a `run` loop.
        mutating func handOut() -> KafkaConsumerMessage? {
            guard let polled = handoff.take() else { return nil }
            defer { polled.destroy() }
            let message = polled.convert(topic: topicNames.name(of: polled.pointer.pointee.rkt))
            if runActive { inFlight = message.topicPartition }
            return message
        }

        /// Drops (and destroys) the queued messages matching `predicate`: never handed out,
        /// their offsets are not stored, so the group redelivers them.
        mutating func dropQueued(where predicate: (PolledMessage) -> Bool) {
            handoff.removeAll { polled in
                guard predicate(polled) else { return false }
                polled.destroy()
                return true
            }
        }
    }

    static let batchLimit = 1024
    static let prefetchLow = batchLimit / 2
    static let storeBatchLimit = 256

    /// Messages polled in the current round and not yet handed off.
    ///
    /// `@unchecked Sendable`: touched only on the consumer's event thread (by the poll loop
    /// and by the rebalance callback, which librdkafka runs inside that thread's poll).
    final class PollRound: @unchecked Sendable {
        @exclusivity(unchecked) var messages: [PolledMessage?] = []
    }
    private let round: PollRound

    let client: RdClient
    let logger: Logger
    private let queue: RdQueue
    /// Guards the handle's lifetime too: uses check `phase != .closed` under the lock, and
    /// the handle is destroyed only after `.closed` is set.
    let state: ConditionLock<State>

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
        let state = ConditionLock(State())
        let round = PollRound()
        let logger = logger
        client = try RdClient(role: .consumer, properties: properties, logger: logger) { rk, err, partitions in
            ConsumerCore.rebalance(rk, err, partitions, state: state, round: round, logger: logger)
        }
        self.state = state
        self.round = round
        self.logger = logger
        rd_kafka_poll_set_consumer(client.handle)
        queue = RdQueue(rd_kafka_queue_get_consumer(client.handle))
        DedicatedThread.start(name: "kafka-consumer") { [self] in runPollLoop() }
    }

    // MARK: Calls from Swift

    func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = TopicPartitionList.make(topics.map { ($0, RD_KAFKA_PARTITION_UA, Int64(RD_KAFKA_OFFSET_INVALID)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = state.withLock { state -> rd_kafka_resp_err_t? in
            guard state.phase == .running else { return nil }
            return rd_kafka_subscribe(client.handle, list)
        }
        guard let err else { throw .closed("subscribe") }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, operation: "subscribe", topic: topics.count == 1 ? topics[0] : nil)
        }
    }

    /// Records `offset + 1` of a processed message, to be committed (in the background, on
    /// revoke and on close). Stores are batched: librdkafka gets them before the next poll.
    func store(_ message: KafkaConsumerMessage) throws(KafkaError) {
        if let error = state.withLock({ storeLocked(message, &$0) }) { throw error }
    }

    /// Records a processed message's offset; call with the lock held.
    private func storeLocked(_ message: KafkaConsumerMessage, _ state: inout State) -> KafkaError? {
        guard !state.handleReleased, state.phase != .closed else { return .closed("store offset", topic: message.topic) }
        let partition = message.topicPartition
        // The assignment changes only inside a poll, and pending offsets are handed to
        // librdkafka before every poll, so this check cannot go stale before the store.
        guard state.lastAssigned == partition || state.assignment.contains(partition) else {
            return KafkaError(RD_KAFKA_RESP_ERR__STATE, operation: "store offset",
                              message: "partition no longer assigned to this consumer; the group will redeliver the message",
                              topic: message.topic, partition: message.partition, offset: message.offset)
        }
        state.lastAssigned = partition
        state.recordPending(partition, next: message.offset + 1)
        state.pendingStores += 1
        guard state.pendingStores >= Self.storeBatchLimit else { return nil }
        return storePending(&state)
    }

    /// Hands the pending offsets to librdkafka. Call with the lock held.
    private func storePending(_ state: inout State) -> KafkaError? {
        Self.storePending(&state, handle: client.handle)
    }

    private static func storePending(_ state: inout State, handle: OpaquePointer) -> KafkaError? {
        state.mergePendingLast()
        guard !state.pendingOffsets.isEmpty, !state.handleReleased else { return nil }
        let list = TopicPartitionList.make(state.pendingOffsets.map { ($0.key.topic, $0.key.partition, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        state.storedOffsets.merge(state.pendingOffsets) { max($0, $1) }
        state.pendingOffsets.removeAll(keepingCapacity: true)
        state.pendingStores = 0
        let err = rd_kafka_offsets_store(handle, list)
        return TopicPartitionList.firstError(list, operation: "store offset")
            ?? (err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(err, operation: "store offset"))
    }

    /// Stores pending offsets from the event thread (before a poll or close), logging failures.
    private func storePendingFromEventThread() {
        if let error = state.withLock({ storePending(&$0) }) {
            logger.warning("Kafka consumer could not store processed offsets: \(error)")
        }
    }

    /// Commits the stored offsets now (blocking; call from a dedicated thread).
    func commitBlocking() -> KafkaError? {
        let usable = state.withLock { state -> Bool in
            guard state.phase == .running else { return false }
            state.activeBlockingCalls += 1
            return true
        }
        guard usable else { return .closed("commit") }
        if let error = state.withLock({ storePending(&$0) }) { return error }
        // Outside the lock (a commit takes a broker round trip); destroy waits for activeBlockingCalls == 0.
        let err = rd_kafka_commit(client.handle, nil, 0)
        state.withLockThenSignal { $0.activeBlockingCalls -= 1 }
        if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET { return nil }
        return KafkaError(err, operation: "commit")
    }

    /// What ``nextIfReady(completing:)`` found.
    enum Ready { case message(KafkaConsumerMessage), end, wait }

    /// Without suspending: stores `completed` (a processed message, if given) and takes the
    /// next queued message, all under one lock. `.end` once closing; `.wait` when nothing is
    /// queued (then ``next(completing:)`` waits for the event thread).
    func nextIfReady(completing completed: KafkaConsumerMessage?) throws(KafkaError) -> Ready {
        enum Fast { case ready(Ready), failure(KafkaError) }
        // Signals only when a waiter needs it: a revoke waiting for the in-flight handler, or
        // the event thread once the `run` prefetch drops below its low mark (once per batch).
        var wake = false
        let fast = state.withLock { state -> Fast in
            if let completed {
                if let error = storeLocked(completed, &state) { return .failure(error) }
                state.inFlight = nil
                wake = state.revokeWaiting
            }
            if state.phase != .running || state.stopRequested { return .ready(.end) }  // closing: queued messages are not handed out
            if let message = state.handOut() {
                if state.runActive && state.handoff.count == Self.prefetchLow - 1 { wake = true }
                return .ready(.message(message))
            }
            if let failure = state.failure { return .failure(failure) }
            return .ready(.wait)
        }
        if wake { state.broadcast() }
        switch fast {
        case .ready(let ready): return ready
        case .failure(let error): throw error
        }
    }

    /// The next message, `nil` once the consumer is closed or the task is cancelled.
    /// `completed`, if given, is a processed message whose offset is stored first (under the
    /// same lock as the take).
    func next(completing completed: KafkaConsumerMessage? = nil) async throws -> KafkaConsumerMessage? {
        switch try nextIfReady(completing: completed) {
        case .message(let message): return message
        case .end: return nil
        case .wait: break
        }
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<KafkaConsumerMessage?, any Error>) in
                let immediate = state.withLockThenSignal { state -> Result<KafkaConsumerMessage?, KafkaError>? in
                    if state.phase != .running || state.stopRequested || Task.isCancelled { return .success(nil) }
                    if let message = state.handOut() { return .success(message) }
                    if let failure = state.failure { return .failure(failure) }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<KafkaConsumerMessage?, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Marks the start of a `run` loop; only one may be active.
    func beginRun() throws(KafkaError) {
        let error = state.withLock { state -> KafkaError? in
            guard state.phase == .running, !state.stopRequested else { return .closed("run") }
            guard !state.runActive else {
                return KafkaError(code: .state, message: "run is already active on this consumer", operation: "run")
            }
            state.runActive = true
            return nil
        }
        if let error { throw error }
    }

    /// Marks the end of a `run` loop (before it closes the consumer).
    func endRun() {
        state.withLockThenSignal { state in
            state.runActive = false
            state.inFlight = nil
        }
    }

    /// Asks the event thread to close the consumer; returns at once. While a `run` loop is
    /// active, asks that loop to stop after its current handler instead; it then closes.
    func requestClose() {
        enum Action { case none, stopRun([CheckedContinuation<KafkaConsumerMessage?, any Error>]) }
        let queue = self.queue
        let action = state.withLockThenSignal { state -> Action in
            guard state.phase == .running else { return .none }
            if state.runActive {
                state.stopRequested = true
                defer { state.waiters.removeAll() }
                return .stopRun(state.waiters.map(\.continuation))
            }
            state.phase = .closing
            // Wake the event thread while still holding the lock: once the lock is released it
            // may close and destroy the queue at any moment (it marks the handle released under
            // this lock first), so a yield after unlocking could touch a freed queue.
            rd_kafka_queue_yield(queue.handle)
            return .none
        }
        if case .stopRun(let waiters) = action {
            for waiter in waiters { waiter.resume(returning: nil) }
        }
    }

    /// Closes (committing processed offsets and leaving the group) and waits until done.
    func closeBlocking() {
        requestClose()
        state.wait(until: { $0.phase == .closed }) { _ in }
    }

    // MARK: The event thread

    private func runPollLoop() {
        while true {
            let proceed = state.wait(until: { $0.wantsPoll }) { $0.phase == .running }
            guard proceed else { break }
            storePendingFromEventThread()
            guard let first = rd_kafka_consumer_poll(client.handle, -1) else { continue }  // yielded
            accept(first)
            // Then what librdkafka already has, one poll per message (not
            // `rd_kafka_consume_batch_queue`): a rebalance served inside a poll then always
            // finds every earlier message of this round in `round.messages`, where a revoke
            // drops those of its partitions.
            var polled = 1
            while polled < Self.batchLimit, let message = rd_kafka_consumer_poll(client.handle, 0) {
                accept(message)
                polled += 1
            }
            handOff()
        }
        close()
    }

    /// Queues one polled message for the handoff (converted when taken), or handles and
    /// destroys an error.
    private func accept(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>) {
        let message = pointer.pointee
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            round.messages.append(PolledMessage(pointer: pointer))
            return
        }
        defer { rd_kafka_message_destroy(pointer) }
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) }
        if message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return }
        var error = KafkaError(message.err, operation: "consume", message: String(cString: rd_kafka_message_errstr(pointer)),
                               topic: topic, partition: topic == nil ? nil : message.partition)
        if message.err == RD_KAFKA_RESP_ERR__FATAL, let fatal = client.fatalError(operation: "consume") {
            error = fatal
        }
        if error.isFatal {
            logger.critical("Kafka consumer fatal error: \(error)")
            state.withLock { $0.failure = error }
        } else {
            logger.warning("Kafka consumer error: \(error)")
        }
    }

    /// Gives the gathered messages to the first waiters; the rest go to the handoff buffer.
    private func handOff() {
        var resumes: [(CheckedContinuation<KafkaConsumerMessage?, any Error>, Result<KafkaConsumerMessage?, KafkaError>)] = []
        state.withLock { state in
            state.handoff.append(takingStorageOf: &round.messages)
            while !state.waiters.isEmpty {
                if let message = state.handOut() {
                    resumes.append((state.waiters.removeFirst().continuation, .success(message)))
                } else if let failure = state.failure {
                    resumes.append((state.waiters.removeFirst().continuation, .failure(failure)))
                } else {
                    break
                }
            }
        }
        round.messages.removeAll(keepingCapacity: true)
        for (continuation, result) in resumes { continuation.resume(with: result) }
    }

    private func close() {
        // Unprocessed messages are dropped: their offsets were never stored, so the group redelivers them.
        state.withLock { state in
            state.dropQueued { _ in true }
        }
        for polled in round.messages { polled?.destroy() }
        round.messages.removeAll()
        storePendingFromEventThread()
        closeConsumer()
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        state.wait(until: { $0.activeBlockingCalls == 0 }) { $0.handleReleased = true }
        queue.destroy()
        client.destroy()
        state.withLockThenSignal { $0.phase = .closed }  // wakes closeBlocking callers
        logger.debug("Kafka consumer closed")
    }

    /// Revokes the assignment (committing processed offsets), commits and leaves the group.
    /// Served by hand rather than with `rd_kafka_consumer_close`, whose internal wait ends
    /// early when the queue was yielded (our wake-up for close) and would leave it half done.
    private func closeConsumer() {
        let handle = client.handle
        guard let closeQueue = rd_kafka_queue_new(handle) else { return }
        defer { rd_kafka_queue_destroy(closeQueue) }
        if let error = rd_kafka_consumer_close_queue(handle, closeQueue) {
            logger.warning("Kafka consumer close: \(KafkaError(consuming: error, operation: "close"))")
            return
        }
        while rd_kafka_consumer_closed(handle) == 0 {
            // Returns at once on an event; the timeout only bounds how often `closed` is re-checked.
            guard let event = rd_kafka_queue_poll(closeQueue, 100) else { continue }
            switch Int32(rd_kafka_event_type(event)) {
            case RD_KAFKA_EVENT_REBALANCE:
                if let partitions = rd_kafka_event_topic_partition_list(event) {
                    Self.rebalance(handle, rd_kafka_event_error(event), partitions, state: state, round: round, logger: logger)
                }
            case RD_KAFKA_EVENT_ERROR:
                let error = KafkaError(rd_kafka_event_error(event), operation: "close",
                                       message: String(cString: rd_kafka_event_error_string(event)))
                logger.warning("Kafka consumer close: \(error)")
            default:
                break
            }
            rd_kafka_event_destroy(event)
        }
    }

    // MARK: Rebalance (event thread, inside rd_kafka_consumer_poll / close)

    static func rebalance(
        _ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        state: ConditionLock<State>, round: PollRound, logger: Logger
    ) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let changed = TopicPartitionList.read(partitions)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("Kafka consumer assigned \(changed.map(\.description).joined(separator: ", "))",
                        metadata: ["protocol": "\(cooperative ? "cooperative" : "eager")"])
            state.withLock { state in
                if !cooperative { state.assignment = [] }
                state.assignment.formUnion(changed)
                state.assignmentChanged()
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) {
                    logger.error("Kafka consumer assign: \(KafkaError(consuming: error, operation: "assign"))")
                }
            } else {
                let result = rd_kafka_assign(rk, partitions)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("Kafka consumer assign: \(KafkaError(result, operation: "assign"))") }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let revoked = Set(changed)
            let lost = rd_kafka_assignment_lost(rk) != 0
            logger.info("Kafka consumer \(lost ? "lost" : "revoked") \(changed.map(\.description).joined(separator: ", "))")
            // Not yet processed: the next owner gets them from the committed offset.
            round.messages.removeAll { polled in
                guard let polled else { return true }
                guard revoked.contains(polled.topicPartition) else { return false }
                polled.destroy()
                return true
            }
            state.withLock { state in
                state.dropQueued { revoked.contains($0.topicPartition) }
                state.revokeWaiting = true
            }
            // A `run` handler still working on a revoked partition finishes first (its offset is
            // recorded while the partition still counts as assigned) and is committed below,
            // instead of the message going to the next owner too.
            state.wait(until: { state in
                guard state.runActive, let inFlight = state.inFlight else { return true }
                return !revoked.contains(inFlight)
            }) { state in
                state.revokeWaiting = false
                state.assignment.subtract(revoked)
                if !cooperative { state.assignment = [] }
                state.assignmentChanged()
            }
            if let error = state.withLock({ storePending(&$0, handle: rk) }) {
                logger.warning("Kafka consumer could not store processed offsets on revoke: \(error)")
            }
            if !lost {
                let result = rd_kafka_commit(rk, nil, 0)  // the processed offsets, before giving the partitions up
                if result != RD_KAFKA_RESP_ERR_NO_ERROR && result != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    logger.warning("Kafka consumer commit on revoke: \(KafkaError(result, operation: "commit"))")
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) {
                    logger.error("Kafka consumer unassign: \(KafkaError(consuming: error, operation: "unassign"))")
                }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            logger.error("Kafka consumer rebalance error: \(KafkaError(err, operation: "rebalance"))")
            _ = rd_kafka_assign(rk, nil)
            state.withLock { state in
                state.assignment = []
                state.assignmentChanged()
            }
        }
    }
}
