import SagaCore
import Foundation
import Kafka
import Logging

/// Runs the Kafka side of a saga service: one consumer feeding a ``DeadLetteringHandler``,
/// the outbox relay, and any extra loop (the orchestrator's timers), until cancelled or until
/// the consumer fails. On the way out the consumer commits what it processed, and whatever the
/// relay had not published stays in the outbox for the next start.
enum KafkaServiceRunner {
    /// How long published outbox rows and inbox entries are kept. An inbox entry only has to
    /// outlive any redelivery of its message, which happens within a rebalance or restart; a
    /// week also covers a consumer group whose offsets were reset by hand to replay a day.
    static let retention: Duration = .seconds(7 * 24 * 3600)

    /// How often expired rows are purged: often enough that each round finds only the last
    /// few minutes' worth at the old end of the expiry indexes.
    static let purgeInterval: Duration = .seconds(600)

    /// Deletes expired outbox, inbox and stored-reply rows every ``purgeInterval``
    /// (housekeeping, not work polling), and with `finishedSagaRetention` the details of sagas
    /// that finished and started longer ago than that, in short transactions that the sagas'
    /// writes take turns with.
    static func housekeeping(store: any SagaStore, finishedSagaRetention: Duration?, logger: Logger) async {
        while !Task.isCancelled {
            await housekeepingRound(store: store, olderThan: retention, logger: logger)
            if let finishedSagaRetention { await removeFinishedSagas(store: store, olderThan: finishedSagaRetention, logger: logger) }
            do { try await Task.sleep(for: purgeInterval) } catch { return }
        }
    }

    /// Removes the details of the finished sagas that started more than `age` ago, keeping their
    /// tombstones; logs how many and how long it took (or why it failed); returns how many.
    @discardableResult
    static func removeFinishedSagas(store: any SagaStore, olderThan age: Duration, logger: Logger) async -> Int {
        let cutoff = Date().addingTimeInterval(-age.timeInterval)
        return await logged("removed finished sagas past their retention, kept their tombstones", counting: "sagas",
                            failure: "removing finished sagas failed", logger: logger) { () throws(SagaStoreError) in
            try await store.purgeFinished(startedBefore: cutoff)
        }
    }

    /// One round of the housekeeping: deletes the rows older than `age`, logs how many and how
    /// long it took (or why it failed); returns how many.
    @discardableResult
    static func housekeepingRound(store: any SagaStore, olderThan age: Duration, logger: Logger) async -> Int {
        let cutoff = Date().addingTimeInterval(-age.timeInterval)
        return await logged("purged expired outbox, inbox and reply rows", counting: "rows", failure: "housekeeping failed",
                            logger: logger) { () throws(SagaStoreError) in
            try await store.purgeExpired(before: cutoff)
        }
    }

    /// Runs a removal: logs `done` with how many (under `counting`) and how long it took when it
    /// removed any, or `failure` with the error unless the task was cancelled; returns how many.
    private static func logged(
        _ done: Logger.Message, counting: String, failure: Logger.Message, logger: Logger,
        _ removal: () async throws(SagaStoreError) -> Int
    ) async -> Int {
        let started = ContinuousClock.now
        do {
            let removed = try await removal()
            if removed > 0 { logger.info(done, metadata: [counting: "\(removed)", "duration": "\(ContinuousClock.now - started)"]) }
            return removed
        } catch {
            if !Task.isCancelled { logger.error(failure, metadata: ["error": "\(error)"]) }
            return 0
        }
    }

    /// librdkafka properties that only consumers understand (kept off the producer's configuration).
    static let consumerOnlyProperties = ["fetch.wait.max.ms", "fetch.min.bytes", "fetch.max.bytes", "max.partition.fetch.bytes"]

    /// The most messages a lane processes in one store transaction. Batches form only when
    /// messages wait (a lane that keeps up takes them one by one); a larger batch saves commits
    /// but holds the first message's offset longer.
    static let batchSize = 64

    static func run(
        kafka: KafkaConfiguration, groupID: String, topics: [String], store: any SagaStore, outboxDoorbell: Doorbell,
        service: String, retry: RetryPolicy, logger: Logger, metrics: SagaMetrics,
        classify: @escaping @Sendable (any Error) -> FailureDisposition,
        hooks: KafkaConsumptionHooks = .none, finishedSagaRetention: Duration? = nil, relayLimits: OutboxRelayLimits = .default,
        process: @escaping @Sendable (InboundMessage) async throws -> Void,
        processBatch: (@Sendable ([InboundMessage]) async throws -> Void)? = nil,
        extra: (@Sendable () async -> Void)? = nil
    ) async throws {
        var producerConfiguration = kafka
        producerConfiguration.groupID = nil
        for property in consumerOnlyProperties { producerConfiguration.properties[property] = nil }
        // A message the broker cannot take (e.g. its topic is missing) fails within this bound
        // instead of librdkafka's default 5 minutes, so the relay retries it and moves on.
        if producerConfiguration.deliveryTimeout == nil { producerConfiguration.deliveryTimeout = .seconds(30) }
        producerConfiguration.idempotence = true
        producerConfiguration.acks = .all
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        var consumerConfiguration = kafka
        consumerConfiguration.groupID = groupID
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        try consumer.subscribe(to: topics)
        let relay = OutboxRelay(
            store: store, publisher: KafkaOutboxPublisher(producer: producer, outgoing: hooks.outgoing), doorbell: outboxDoorbell,
            batchSize: relayLimits.batchSize, maxBatchesInFlight: relayLimits.batchesInFlight, logger: logger)
        let handler = DeadLetteringHandler(
            group: groupID, service: service, retry: retry, sink: KafkaDeadLetterSink(producer: producer), store: store,
            logger: logger, metrics: metrics, classify: KafkaConsumptionHooks.classifying(classify),
            process: hooks.processing(process), processBatch: processBatch.map(hooks.processing)
        )
        defer { logger.info("service stopped", metadata: ["service": "\(service)"]) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await relay.run() }
                group.addTask { await housekeeping(store: store, finishedSagaRetention: finishedSagaRetention, logger: logger) }
                if let extra { group.addTask { await extra() } }
                group.addTask { await consumer.reportLag(group: groupID, every: metrics.lagReportInterval, factory: metrics.factory) }
                group.addTask {
                    try await PartitionedConsumption.run(
                        consumer, workers: 4, window: 256, batchSize: processBatch == nil ? 1 : batchSize
                    ) { messages in
                        let started = ContinuousClock.now
                        try await handler.handle(batch: messages.map(InboundMessage.init))
                        metrics.handledBatch(service: service, messages: messages.count, duration: ContinuousClock.now - started)
                    }
                }
                // The first task to end (the consumer, on cancellation or failure) ends the service.
                try await group.next()
                group.cancelAll()
            }
        } catch {
            await producer.shutdown(timeout: .seconds(5))
            throw error
        }
        // Stopped, not failed: publish what the last handlers wrote before the producer closes
        // (in a task of its own, which the caller's cancellation does not reach). Rows left over
        // stay in the outbox for the next start.
        let flushed = await Task { try await relay.flush() }.result
        if case .failure(let error) = flushed {
            logger.warning("final outbox flush incomplete; rows stay for the next start", metadata: ["error": "\(error)"])
        }
        await producer.shutdown(timeout: .seconds(5))
    }
}
