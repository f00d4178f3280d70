import Foundation
import Logging

/// Publishes a dead-letter record and returns once the broker acknowledged it.
public protocol DeadLetterSink: Sendable {
    /// Publishes `message` to `partition` of its topic; throws if it was not delivered.
    func publish(_ message: OutgoingMessage, partition: Int32) async throws
}

/// How a processing error should be treated.
public enum FailureDisposition: Sendable, Hashable {
    /// Try again under the retry policy (then dead-letter as ``DeadLetterErrorKind/retriesExhausted``).
    case retry
    /// Try again with the retry policy's backoff for as long as the failure lasts, never
    /// dead-letter: for failures outside the message (e.g. a schema registry that cannot be
    /// reached), which would otherwise send good messages to the DLQ. Shutdown still stops it.
    case retryUntilResolved
    /// Dead-letter at once, with this kind.
    case deadLetter(DeadLetterErrorKind)
}

/// Wraps a message processor so that a message that cannot be processed never blocks its
/// partition: transient failures are retried with backoff; a message that fails for good (or
/// runs out of retries) is published to `<topic>.dlq` with its error headers, and then counts
/// as handled so the consumer stores its offset and moves on. Only when the DLQ record itself
/// cannot be published does ``handle(_:)`` throw, so that the message is redelivered rather than lost.
///
/// Messages carrying a replay id (re-published from a DLQ) get their replay's outcome recorded.
public struct DeadLetteringHandler: Sendable {
    /// The consumer group (recorded in the DLQ headers).
    public let group: String
    /// The service name (recorded in the DLQ headers).
    public let service: String
    /// Retries of transient failures.
    public let retry: RetryPolicy
    /// Where DLQ records go.
    public let sink: any DeadLetterSink
    /// Where replay outcomes are recorded.
    public let store: any SagaStore
    /// Counts processed and dead-lettered messages.
    public let metrics: SagaMetrics
    private let process: @Sendable (InboundMessage) async throws -> Void
    private let processBatch: (@Sendable ([InboundMessage]) async throws -> Void)?
    private let classify: @Sendable (any Error) -> FailureDisposition
    private let logger: Logger

    /// Creates a handler around `process`; `classify` decides per error between retrying and
    /// dead-lettering. `processBatch`, if given, processes several messages at once, all or
    /// nothing (see ``handle(batch:)``).
    public init(
        group: String, service: String, retry: RetryPolicy, sink: any DeadLetterSink, store: any SagaStore,
        logger: Logger = Logger(label: "saga.consumer"), metrics: SagaMetrics = SagaMetrics(),
        classify: @escaping @Sendable (any Error) -> FailureDisposition,
        process: @escaping @Sendable (InboundMessage) async throws -> Void,
        processBatch: (@Sendable ([InboundMessage]) async throws -> Void)? = nil
    ) {
        self.processBatch = processBatch
        self.metrics = metrics
        self.group = group
        self.service = service
        self.retry = retry
        self.sink = sink
        self.store = store
        self.logger = logger
        self.classify = classify
        self.process = process
    }

    /// What became of a message.
    public enum Outcome: Sendable, Hashable {
        /// Processed, after this many attempts.
        case processed(attempts: Int)
        /// Published to the DLQ.
        case deadLettered(DeadLetterErrorKind)
    }

    /// Processes `message`, retrying and dead-lettering as configured. Throws only when the
    /// DLQ record could not be published, or when cancelled (the message is then redelivered).
    /// While it runs, ``SagaLogContext/metadata`` holds the message's ids.
    @discardableResult
    public func handle(_ message: InboundMessage) async throws -> Outcome {
        try await SagaLogContext.$metadata.withValue(SagaLogContext.metadata(of: message)) {
            try await handleInContext(message)
        }
    }

    /// Handles `messages` (in order) together when it can: one call of `processBatch`, so their
    /// effects commit in one transaction. When the batch fails for any reason nothing of it was
    /// kept, and each message is handled on its own with ``handle(_:)`` (retries, dead letters).
    /// Messages re-published from a DLQ are always handled one by one, so each replay's outcome
    /// is recorded. Throws only as ``handle(_:)`` does.
    public func handle(batch messages: [InboundMessage]) async throws {
        if messages.count > 1, let processBatch,
            !messages.contains(where: { $0.headers.string(DeadLetterHeaders.replayID) != nil })
        {
            do {
                try await processBatch(messages)
                for message in messages { metrics.processed(service: service, topic: message.topic) }
                return
            } catch {
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                logger.debug("a batch failed; handling its messages one by one", metadata: [
                    "messages": "\(messages.count)", "error": "\(error)",
                ])
            }
        }
        for message in messages { try await handle(message) }
    }

    private func handleInContext(_ message: InboundMessage) async throws -> Outcome {
        let replayID = message.headers.string(DeadLetterHeaders.replayID)
        var attempt = 1
        while true {
            let failure: any Error
            do {
                try await process(message)
                if let replayID { try await store.finishReplay(replayID: replayID, outcome: .succeeded, detail: nil, at: Date()) }
                metrics.processed(service: service, topic: message.topic)
                return .processed(attempts: attempt)
            } catch {
                // A cancelled task (shutdown) stops here: the message is redelivered, never dead-lettered.
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                failure = error
            }
            let kind: DeadLetterErrorKind
            switch classify(failure) {
            case .retry where retry.allowsRetry(after: attempt):
                Self.logger(logger, for: message).warning("processing failed; will retry", metadata: [
                    "message": "\(message.coordinates)", "attempt": "\(attempt)", "error": "\(failure)",
                ])
                try await Task.sleep(for: retry.delay(afterAttempt: attempt, random: Double.random(in: 0..<1)))
                attempt += 1
                continue
            case .retryUntilResolved:
                Self.logger(logger, for: message).warning("processing cannot proceed; retrying until it can", metadata: [
                    "message": "\(message.coordinates)", "attempt": "\(attempt)", "error": "\(failure)",
                ])
                // The backoff grows to the policy's longest delay and stays there.
                try await Task.sleep(for: retry.delay(afterAttempt: min(attempt, 64), random: Double.random(in: 0..<1)))
                attempt += 1
                continue
            case .retry: kind = .retriesExhausted
            case .deadLetter(let k): kind = k
            }
            let cause = (failure as? ParticipantError)?.underlying
            let record = DeadLetterRecord.make(
                for: message, failure: DeadLetterFailure(kind: kind, error: failure, cause: cause, attempts: attempt),
                group: group, service: service, at: Date()
            )
            try await sink.publish(record.message, partition: record.partition)
            metrics.deadLettered(service: service, topic: message.topic, kind: kind)
            Self.logger(logger, for: message).error("message dead-lettered", metadata: [
                "message": "\(message.coordinates)", "dlq": "\(record.message.topic)", "kind": "\(kind.rawValue)",
                "error": "\(failure)",
            ])
            if let replayID {
                try await store.finishReplay(
                    replayID: replayID, outcome: .deadLetteredAgain, detail: String(describing: failure), at: Date()
                )
            }
            return .deadLettered(kind)
        }
    }

    /// `logger` with the message's ids in its metadata (see ``SagaLogContext/metadata(of:)``).
    static func logger(_ logger: Logger, for message: InboundMessage) -> Logger {
        var logger = logger
        for (key, value) in SagaLogContext.metadata(of: message) { logger[metadataKey: key] = value }
        return logger
    }
}
