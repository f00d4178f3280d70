import SagaCore

/// What a service does around the engine's processing of Kafka records, beyond the engine:
/// work before each consumed message is processed, and a last touch on each outgoing record.
///
/// ```swift
/// let hooks = KafkaConsumptionHooks(
///     prepare: { message in try await schemas.prefetch(for: message.value) },   // async, before the sync decode
///     outgoing: { message in message }
/// )
/// let service = SagaParticipantService(participant: participant, kafka: kafka, topics: topics, hooks: hooks)
/// ```
public struct KafkaConsumptionHooks: Sendable {
    /// Runs before each consumed message is processed, inside the retry and dead-letter
    /// handling: throw a ``MessagePreparationError`` to say what becomes of the message (any
    /// other error is classified like a processing error).
    public var prepare: (@Sendable (InboundMessage) async throws -> Void)?
    /// Applied to every record the outbox relay publishes (not to dead-letter records), e.g. to
    /// add a `content-type` header that matches the value's bytes.
    public var outgoing: (@Sendable (OutgoingMessage) -> OutgoingMessage)?

    /// Creates hooks; `nil` means none.
    public init(
        prepare: (@Sendable (InboundMessage) async throws -> Void)? = nil,
        outgoing: (@Sendable (OutgoingMessage) -> OutgoingMessage)? = nil
    ) {
        self.prepare = prepare
        self.outgoing = outgoing
    }

    /// No hooks.
    public static let none = KafkaConsumptionHooks()

    /// `process` preceded by ``prepare``.
    func processing(_ process: @escaping @Sendable (InboundMessage) async throws -> Void) -> @Sendable (InboundMessage) async throws -> Void {
        guard let prepare else { return process }
        return { message in
            try await prepare(message)
            try await process(message)
        }
    }

    /// `processBatch` preceded by ``prepare`` for each message, in order.
    func processing(_ processBatch: @escaping @Sendable ([InboundMessage]) async throws -> Void)
        -> @Sendable ([InboundMessage]) async throws -> Void
    {
        guard let prepare else { return processBatch }
        return { messages in
            for message in messages { try await prepare(message) }
            try await processBatch(messages)
        }
    }

    /// `classify`, except that a ``MessagePreparationError`` carries its own disposition.
    static func classifying(_ classify: @escaping @Sendable (any Error) -> FailureDisposition) -> @Sendable (any Error) -> FailureDisposition {
        { error in (error as? MessagePreparationError)?.disposition ?? classify(error) }
    }
}

/// A consumed message could not be prepared for processing, and what to do about it.
public struct MessagePreparationError: Error, Sendable, CustomStringConvertible {
    /// Retry (until resolved, or under the policy) or dead-letter.
    public var disposition: FailureDisposition
    /// What went wrong (its description goes into the DLQ record).
    public var underlying: any Error & Sendable

    /// Creates the error.
    public init(_ disposition: FailureDisposition, _ underlying: any Error & Sendable) {
        self.disposition = disposition
        self.underlying = underlying
    }

    public var description: String { String(describing: underlying) }
}
