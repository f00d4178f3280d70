/// Starts sagas from the messages of a topic (e.g. `order.placed` starts the order saga).
public struct SagaTrigger: Sendable {
    /// The topic whose messages start sagas.
    public var topic: String
    /// The saga type started (its latest registered version).
    public var sagaType: String
    /// Maps a start message to the saga id and the encoded initial saga data; throws for a
    /// message that cannot start a saga (it is dead-lettered as invalid).
    public var makeStart: @Sendable (InboundMessage) throws -> (sagaID: String, data: [UInt8])

    /// Creates a trigger.
    public init(
        topic: String, sagaType: String, makeStart: @escaping @Sendable (InboundMessage) throws -> (sagaID: String, data: [UInt8])
    ) {
        self.topic = topic
        self.sagaType = sagaType
        self.makeStart = makeStart
    }
}

/// A start message could not be turned into a saga.
public struct SagaTriggerError: Error, CustomStringConvertible {
    /// Where the message came from.
    public var coordinates: String
    /// What was wrong.
    public var underlying: any Error

    /// A readable description.
    public var description: String { "start message \(coordinates) cannot start a saga: \(underlying)" }
}

extension SagaOrchestrator {
    /// Processes one consumed message: a start event if its topic has a trigger in the registry,
    /// a reply otherwise. The message id goes into the inbox in the same transaction as its effects.
    public func process(_ message: InboundMessage) async throws -> Void {
        switch try decode(message) {
        case .start(let start):
            _ = try await self.start(
                sagaType: start.definition.name, sagaID: start.sagaID, data: start.data, inbox: start.inbox, trace: start.trace
            )
        case .reply(let reply, let inbox):
            _ = try await handle(reply: reply, inbox: inbox)
        }
    }

    /// How the orchestrator's consumer treats a processing error: a failure of the store (the
    /// database is down or refused the statement) is retried until the store answers, never
    /// dead-lettered, so the message's offset stays uncommitted meanwhile; contention is retried
    /// under the retry policy; bad envelopes, rejected replies, unknown sagas and bad start
    /// events are dead-lettered.
    public static func classify(_ error: any Error) -> FailureDisposition {
        switch error {
        case let error as SagaRuntimeError:
            if case .store(let storeError) = error, storeError.isStoreFailure { return .retryUntilResolved }
            if error.isRetriable { return .retry }
            switch error {
            case .invalidEnvelope: return .deadLetter(.undecodable)
            case .unknownSaga, .transition(.replyRejected): return .deadLetter(.invalid)
            default: return .deadLetter(.nonRetriable)
            }
        case is SagaTriggerError: return .deadLetter(.invalid)
        default: return .deadLetter(.nonRetriable)
        }
    }
}

extension SagaParticipant {
    /// How a participant's consumer treats a processing error: a failure of the store (also one
    /// the handler's own statements met, see ``ParticipantStore/storeFailure(_:operation:)``) is
    /// retried until the store answers, never dead-lettered, so the message's offset stays
    /// uncommitted meanwhile; transient handler errors are retried under the retry policy; bad
    /// envelopes and other handler errors are dead-lettered.
    public static func classify(_ error: any Error) -> FailureDisposition {
        guard let error = error as? ParticipantError else { return .deadLetter(.nonRetriable) }
        if case .store(let storeError) = error, storeError.isStoreFailure { return .retryUntilResolved }
        if error.isRetriable { return .retry }
        switch error {
        case .invalidEnvelope: return .deadLetter(.undecodable)
        case .handlerFailed(_, _, let underlying) where underlying is SagaReplyDecodingError: return .deadLetter(.undecodable)
        default: return .deadLetter(.nonRetriable)
        }
    }
}
