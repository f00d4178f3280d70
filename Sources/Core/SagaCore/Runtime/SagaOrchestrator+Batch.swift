/// A consumed message as the orchestrator reads it.
enum DecodedMessage: Sendable {
    /// A start event of a trigger's topic.
    case start(StartRequest)
    /// A participant's reply.
    case reply(StepReply, inbox: InboxEntry)

    /// The entry that records the message in the inbox.
    var inbox: InboxEntry {
        switch self {
        case .start(let start): start.inbox
        case .reply(_, let inbox): inbox
        }
    }

    /// The saga the message starts or answers.
    var sagaID: String {
        switch self {
        case .start(let start): start.sagaID
        case .reply(let reply, _): reply.sagaID
        }
    }

    /// What a start event asks for.
    struct StartRequest: Sendable {
        var definition: any AnySagaDefinition
        var sagaID: String
        var data: [UInt8]
        var inbox: InboxEntry
        var trace: TraceContext?
    }
}

extension SagaOrchestrator {
    /// Reads a consumed message: a start event if its topic has a trigger in the registry, a
    /// reply otherwise.
    func decode(_ message: InboundMessage) throws -> DecodedMessage {
        if let trigger = registry.triggers.first(where: { $0.topic == message.topic }) {
            let messageID = try Envelope.required(SagaHeaders.messageID, in: message)
            let start: (sagaID: String, data: [UInt8])
            do {
                start = try trigger.makeStart(message)
            } catch {
                throw SagaTriggerError(coordinates: message.coordinates, underlying: error)
            }
            guard let definition = registry.latest(trigger.sagaType) else {
                throw SagaRuntimeError.unknownSagaType(trigger.sagaType, version: nil)
            }
            return .start(DecodedMessage.StartRequest(
                definition: definition, sagaID: start.sagaID, data: start.data, inbox: inbox(messageID, message),
                trace: TraceContext(headers: message.headers)
            ))
        }
        let reply = try StepReply(from: message)
        return .reply(reply, inbox: inbox(reply.messageID, message))
    }

    private func inbox(_ messageID: String, _ message: InboundMessage) -> InboxEntry {
        InboxEntry(consumer: consumerName, messageID: messageID, topic: message.topic, partition: message.partition, offset: message.offset)
    }

    /// Processes consumed messages in order in **one** store transaction (``SagaStore/batch(_:_:)``):
    /// each one's inbox entry, state, history, outbox rows and timeline, as ``process(_:)`` writes
    /// them one transaction each. A later message of the batch sees the sagas as the earlier ones
    /// left them.
    ///
    /// All or nothing: when any message cannot be processed here (it is invalid, its saga is
    /// unknown, a start finds its saga created meanwhile, a stale version), the whole transaction
    /// rolls back and the error is thrown; the caller then processes the messages one by one with
    /// ``process(_:)``, which retries or dead-letters each on its own.
    public func process(batch messages: [InboundMessage]) async throws {
        let decoded = try messages.map(decode)
        let changes = try await store.batch("process \(messages.count) messages") { transaction in
            // The inbox entries go with the read of the sagas: one wait for both on PostgreSQL.
            try transaction.prerecord(inbox: decoded.map(\.inbox))
            try transaction.prefetch(sagaIDs: decoded.map(\.sagaID))
            var changes: [PlannedChange] = []
            for message in decoded {
                let change: PlannedChange
                switch message {
                case .start(let start):
                    if try transaction.load(sagaID: start.sagaID) != nil {
                        _ = try transaction.write(SagaCommit(inbox: start.inbox))
                        continue
                    }
                    change = try planStart(
                        definition: start.definition, sagaID: start.sagaID, data: start.data, inbox: start.inbox, causationID: nil,
                        trace: start.trace
                    )
                case .reply(let reply, let inbox):
                    guard let state = try transaction.load(sagaID: reply.sagaID) else { throw SagaRuntimeError.unknownSaga(reply.sagaID) }
                    change = try plan(.reply(reply), to: state, inbox: inbox)
                }
                if case .committed = try transaction.write(change.write) { changes.append(change) }
            }
            return changes
        }
        if changes.contains(where: { !$0.write.outbox.isEmpty }) { await outboxDoorbell.ring() }
        for change in changes { await committed(change) }
    }
}
