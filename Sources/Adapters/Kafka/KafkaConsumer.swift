import Logging

/// Consumes messages as a member of a consumer group, at least once.
///
/// An offset is stored only after its message was processed, and stored offsets are
/// committed in the background (`auto.commit.interval.ms`), before partitions are revoked in
/// a rebalance (eager or cooperative-sticky) and when the consumer closes. A message whose
/// processing did not finish is therefore redelivered to the group, and a processed one is
/// not (the stored offset is the message's offset + 1, Kafka's "next to read").
///
/// The primary API is ``run(_:)``: it hands each message to your handler, stores its offset
/// when the handler returns, and closes the consumer however it ends.
///
/// ```swift
/// var config = KafkaConfiguration(bootstrapServers: ["localhost:9092"], groupID: "billing")
/// let consumer = try KafkaConsumer(configuration: config)
/// try consumer.subscribe(to: ["orders"])
/// try await consumer.run { message in
///     try await bill(message.value)
/// }
/// ```
///
/// ``messages`` is the lower-level alternative: iterate it and call
/// ``markProcessed(_:)`` for each message once done with it.
public final class KafkaConsumer: Sendable {
    let core: ConsumerCore

    /// Creates a consumer. `configuration.groupID` is required; `enable.auto.offset.store`
    /// must not be set (the consumer stores offsets itself after processing).
    ///
    /// - Throws: ``KafkaError`` naming the property if the configuration is invalid.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.consumer")) throws(KafkaError) {
        core = try ConsumerCore(configuration: configuration, logger: logger)
    }

    /// Dropping the last reference closes the consumer in the background (committing
    /// processed offsets and leaving the group), so its partitions are not held until a
    /// session timeout.
    deinit {
        core.requestClose()
    }

    /// Subscribes to `topics` (replacing any previous subscription); partitions are assigned by the group.
    public func subscribe(to topics: [String]) throws(KafkaError) {
        try core.subscribe(topics)
    }

    /// Runs `handler` for each message, one at a time in arrival order (in order per
    /// partition), and stores the message's offset after the handler returns.
    ///
    /// Returns when ``close()`` is called (the current handler finishes and its offset is
    /// stored first) or the task is cancelled. If the handler throws, the message's offset is
    /// not stored, the consumer is closed (so the group redelivers that message to a live
    /// member) and the error is rethrown. In every case the consumer is closed when `run`
    /// returns. Only one `run` may be active per consumer.
    public func run(_ handler: (KafkaConsumerMessage) async throws -> Void) async throws {
        try await runLoop {
            // One lock per message (store the previous offset, take the next message) and no
            // suspension while messages are queued; it waits only when the queue is empty.
            var processed: KafkaConsumerMessage? = nil
            while true {
                let message: KafkaConsumerMessage
                switch try core.nextIfReady(completing: processed, byRunLoop: true) {
                case .deliver(let ready): message = ready
                case .end: return
                case .wait:
                    guard let next = try await core.next(byRunLoop: true) else { return }  // `processed` is stored already
                    message = next
                }
                processed = nil
                try await handler(message)
                processed = message
            }
        }
    }

    /// Runs `handler` for batches of messages: each time with every message already received,
    /// up to `maximumCount` (at least one; it never waits to fill a batch), in arrival order (in
    /// order per partition), and stores the offsets of the whole batch after the handler
    /// returns.
    ///
    /// Use it when handling many messages together is cheaper than one at a time (one database
    /// transaction per batch, one request to a downstream service), or when messages are
    /// small and many: the consumer then takes its lock and calls the handler once per batch.
    ///
    /// ```swift
    /// try await consumer.run(batchesOf: 100) { messages in
    ///     try await ledger.insert(messages.map(Entry.init))   // one transaction
    /// }
    /// ```
    ///
    /// Otherwise it behaves as ``run(_:)``: if the handler throws, no offset of its batch is
    /// stored, the consumer closes (the group redelivers the whole batch) and the error is
    /// rethrown; ``close()`` lets the current batch finish and stores its offsets first. A
    /// rebalance that revokes a partition with messages in the current batch waits until the
    /// handler returned, so keep a batch's handling well within `max.poll.interval.ms`.
    ///
    /// - Throws: ``KafkaError`` with code `_INVALID_ARG` if `maximumCount` is less than 1 (the
    ///   consumer is left open), and as ``run(_:)`` otherwise.
    public func run(batchesOf maximumCount: Int, _ handler: ([KafkaConsumerMessage]) async throws -> Void) async throws {
        guard maximumCount >= 1 else {
            throw KafkaError(code: .invalidArgument, message: "a batch holds at least one message (got \(maximumCount))", operation: "run")
        }
        try await runLoop {
            var taken: ConsumerCore.TakenMessages = []
            var batch: [KafkaConsumerMessage] = []
            var processed: [KafkaConsumerMessage] = []
            taken.reserveCapacity(maximumCount)
            while try await core.nextBatch(completing: processed, limit: maximumCount, taken: &taken, into: &batch) {
                processed.removeAll(keepingCapacity: true)
                try await handler(batch)
                // The handled batch is recorded by the next call; `batch` is refilled meanwhile.
                swap(&processed, &batch)
            }
        }
    }

    /// What both `run` loops share: only one loop at a time, `close()` from a handler does not
    /// wait for itself, and the consumer is closed however the loop ends.
    private func runLoop(_ body: () async throws -> Void) async throws {
        try core.beginRun()
        var failure: (any Error)? = nil
        do {
            try await RunContext.$consumer.withValue(ObjectIdentifier(core)) { try await body() }
        } catch {
            failure = error
        }
        core.endRun()
        await close()
        if let failure { throw failure }
    }

    /// The messages, as an async sequence that ends when the consumer is closed or the
    /// iterating task is cancelled. Messages are fetched from librdkafka on demand; nothing
    /// is buffered in Swift across a rebalance. Call ``markProcessed(_:)`` after handling
    /// each message, or it will be redelivered after the next rebalance or restart.
    /// Iterating keeps the consumer alive; close it (or drop it) when done.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(consumer: self, core: core) }

    /// Whether a ``run(_:)`` loop is active.
    public var isRunning: Bool { core.isRunLoopActive }

    /// The partitions currently assigned to this consumer by its group. It changes as the
    /// consumer polls (while ``run(_:)`` or ``messages`` is waiting for a message).
    public var assignment: Set<TopicPartition> { core.assignment }

    /// Records that `message` was processed: its offset + 1 is stored and will be committed.
    ///
    /// - Throws: ``KafkaError`` with code `_STATE` if the partition was revoked since the
    ///   message was received (the group will redeliver it to the new owner).
    public func markProcessed(_ message: KafkaConsumerMessage) throws(KafkaError) {
        try core.store(message)
    }

    /// Commits the stored offsets now and waits for the broker's answer (otherwise they are
    /// committed in the background, on rebalance and on close).
    public func commit() async throws(KafkaError) {
        let core = self.core
        if let error = await DedicatedThread.run(name: "kafka-commit", { core.commitBlocking() }) { throw error }
    }

    /// Closes the consumer: commits processed offsets, leaves the group (its partitions are
    /// reassigned at once) and releases the client. Unprocessed messages are redelivered to
    /// the group. Pending ``messages`` iterations end; an active ``run(_:)`` first lets its
    /// current handler finish. Safe to call more than once, from any task; called from a
    /// `run` handler it returns at once and `run` closes the consumer after that handler.
    public func close() async {
        let core = self.core
        if RunContext.consumer == ObjectIdentifier(core) {
            // Called from this consumer's own run handler: waiting here would wait for itself.
            // run closes the consumer as soon as the handler returns.
            core.requestClose()
            return
        }
        await DedicatedThread.run(name: "kafka-cons-close") { core.closeBlocking() }
    }
}

/// The messages of a ``KafkaConsumer`` (see ``KafkaConsumer/messages``).
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    let consumer: KafkaConsumer
    let core: ConsumerCore

    /// Makes an iterator; iterate from one task at a time.
    public func makeAsyncIterator() -> Iterator { Iterator(consumer: consumer, core: core) }

    /// The iterator of ``KafkaConsumerMessages``.
    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        let core: ConsumerCore
        /// The next message; `nil` after the consumer closed or the task was cancelled.
        /// - Throws: ``KafkaError`` if the consumer hit a fatal error.
        public mutating func next() async throws -> KafkaConsumerMessage? {
            try await core.next()
        }
    }
}

/// Marks the task running a consumer's `run` loop, so `close()` from its handler does not wait for itself.
enum RunContext {
    @TaskLocal static var consumer: ObjectIdentifier?
}
