import Foundation
import Tracing

/// Marks an error thrown by a handler as transient: the message is processed again (under the
/// service's retry policy) instead of going straight to the dead-letter topic.
public protocol RetriableError: Error {}

/// The processing core of a participant service: runs a command handler in a local store
/// transaction together with the inbox entry that deduplicates the command and the outbox
/// row of its reply. A service written on it is idempotent by construction: a redelivered
/// command finds its inbox entry and is skipped; a command re-sent by the orchestrator as a new
/// attempt of a step that already succeeded here (same `saga-idempotency-key`, e.g. after a
/// reply timed out) gets the stored successful reply without running the handler again; and a
/// handler that throws leaves nothing behind — no business change, no reply, no inbox entry.
/// Failure replies are not stored: a later attempt (e.g. an operator's retry) runs the handler.
///
/// The handler receives the store's open transaction (``ParticipantStore/Transaction``; GRDB's
/// `Database` for the SQLite store), so the service's own tables live in the same database and
/// change in the same transaction.
///
/// **Locks in one order.** A consumer lane processes the commands waiting for it in one
/// transaction (``process(batch:)``), so on a database where replicas or lanes run concurrently,
/// two batches that lock the same rows in different orders can each hold what the other waits
/// for. A service whose commands lock rows passes `prepare`, which runs first in every
/// transaction with all the commands it is about to process and takes their locks in one order
/// (ServiceKit's `ServiceTransaction.lock(_:)` with several keys does that).
public struct SagaParticipant<Store: ParticipantStore>: Sendable {
    /// Handles one command inside the transaction.
    public typealias Handler = @Sendable (ParticipantCommand, Store.Transaction) throws -> ParticipantReply

    /// Runs first in each transaction, before any inbox entry or handler, with every command the
    /// transaction is about to process (one, or a batch's, duplicates included): where a service
    /// takes the locks its commands need, in one order. An error fails the transaction as a
    /// handler's would.
    public typealias Preparation = @Sendable ([ParticipantCommand], Store.Transaction) throws -> Void

    /// What processing a command did.
    public typealias Result = ParticipantResult

    /// The store holding inbox, outbox and the service's tables.
    public let store: Store
    /// The consumer name inbox entries are recorded under (usually the service name).
    public let consumerName: String
    /// Rung after each commit that wrote a reply.
    public let outboxDoorbell: Doorbell
    private let handler: Handler
    private let prepare: Preparation?
    private let spans: ParticipantSpans

    /// Creates a participant core. Each processed command is recorded as a span of `tracer`
    /// (`nil`: `InstrumentationSystem.tracer`), a child of the trace context in its headers;
    /// `prepare` (see ``Preparation``) runs first in each of its transactions.
    public init(
        store: Store, consumerName: String, outboxDoorbell: Doorbell = Doorbell(), tracer: (any Tracer)? = nil,
        prepare: Preparation? = nil, handler: @escaping Handler
    ) {
        self.store = store
        self.consumerName = consumerName
        self.outboxDoorbell = outboxDoorbell
        self.handler = handler
        self.prepare = prepare
        self.spans = ParticipantSpans(tracer: tracer)
    }

    /// Processes one consumed command. Throws ``ParticipantError`` when the envelope is invalid
    /// or the handler throws (then nothing was written).
    public func process(_ message: InboundMessage) async throws(ParticipantError) -> Result {
        let span = spans.start(message, participant: consumerName)
        do {
            let result = try await process(message, span: span)
            spans.end(span, result)
            return result
        } catch {
            spans.end(span, error)
            throw error
        }
    }

    private func process(_ message: InboundMessage, span: any Span) async throws(ParticipantError) -> Result {
        let command: ParticipantCommand
        do {
            command = try ParticipantCommand(from: message)
        } catch {
            throw .invalidEnvelope(error)
        }
        spans.describe(span, command)
        let entry = inboxEntry(command, message)
        let handler = self.handler, prepare = self.prepare
        do {
            let result = try await store.transaction("process command \(command.messageID)") { transaction -> Result in
                try Self.prepare([command], with: prepare, in: transaction)
                return try Self.run(command, entry: entry, handler: handler, in: transaction)
            }
            if result != .duplicate { await outboxDoorbell.ring() }
            return result
        } catch let failure as HandlerFailure {
            // The handler's own statements hit the store's failure (e.g. the connection went away):
            // the store's, not the command's, so it is retried until the database answers.
            if let storeError = store.storeFailure(failure.underlying, operation: "process command \(command.messageID)") {
                throw .store(storeError)
            }
            throw .handlerFailed(command: command.messageID, coordinates: message.coordinates, failure.underlying)
        } catch let error as SagaStoreError {
            throw .store(error)
        } catch {
            throw .store(.database(operation: "process command \(command.messageID)", underlying: String(describing: error)))
        }
    }
}

extension SagaParticipant {
    /// Runs `prepare` on `commands`; its error is thrown as ``HandlerFailure``, as a handler's.
    static func prepare(_ commands: [ParticipantCommand], with prepare: Preparation?, in transaction: Store.Transaction) throws {
        guard let prepare else { return }
        do {
            try prepare(commands, transaction)
        } catch {
            throw HandlerFailure(underlying: error)
        }
    }

    /// Runs one command inside the open `transaction`: its inbox entry, the remembered or new
    /// reply, the handler's changes. A handler's error is thrown as ``HandlerFailure``.
    static func run(_ command: ParticipantCommand, entry: InboxEntry, handler: Handler, in transaction: Store.Transaction) throws -> Result {
        guard try transaction.recordInbox(entry) else { return .duplicate }
        let key = command.idempotencyKey
        if let key, let earlier = try transaction.rememberedSuccess(consumer: entry.consumer, idempotencyKey: key) {
            try transaction.enqueue([ParticipantReply.succeeded(earlier.payload).message(answering: command)])
            return .repeated
        }
        let reply: ParticipantReply
        do {
            reply = try handler(command, transaction)
        } catch {
            throw HandlerFailure(underlying: error)
        }
        if let key, case .succeeded(let payload) = reply {
            try transaction.rememberSuccess(consumer: entry.consumer, idempotencyKey: key, payload: payload)
        }
        try transaction.enqueue([reply.message(answering: command)])
        return .replied(reply.status)
    }

    /// The inbox entry recording that this participant processed `command`, read from `message`.
    private func inboxEntry(_ command: ParticipantCommand, _ message: InboundMessage) -> InboxEntry {
        InboxEntry(
            consumer: consumerName, messageID: command.messageID, topic: message.topic, partition: message.partition,
            offset: message.offset
        )
    }

    /// Processes consumed commands in order in **one** store transaction, as ``process(_:)``
    /// processes each in one: inbox entry, handler, reply. All or nothing: when any command
    /// cannot be processed here (an invalid envelope, a handler that throws, a store failure), the
    /// whole transaction rolls back and the error is thrown; the caller then processes the
    /// commands one by one with ``process(_:)``, which retries or dead-letters each on its own.
    public func process(batch messages: [InboundMessage]) async throws -> [Result] {
        let commands = try messages.map { message in
            let command = try ParticipantCommand(from: message)
            return (command, inboxEntry(command, message))
        }
        let started = zip(messages, commands).map { message, command in
            let span = spans.start(message, participant: consumerName)
            spans.describe(span, command.0)
            return span
        }
        let handler = self.handler, prepare = self.prepare
        let results: [Result]
        do {
            results = try await store.transaction("process \(messages.count) commands") { transaction in
                try Self.prepare(commands.map(\.0), with: prepare, in: transaction)
                // The inbox entries go with the read of the remembered replies: one wait for both on PostgreSQL.
                try transaction.prerecord(inbox: commands.map(\.1))
                if let consumer = commands.first?.1.consumer {
                    try transaction.prefetchRememberedSuccesses(consumer: consumer, idempotencyKeys: commands.compactMap(\.0.idempotencyKey))
                }
                return try commands.map { command, entry in try Self.run(command, entry: entry, handler: handler, in: transaction) }
            }
        } catch {
            let failure = error as? ParticipantError
                ?? .store(.database(operation: "process \(messages.count) commands together", underlying: String(describing: error)))
            for span in started { spans.end(span, failure) }
            throw error
        }
        if results.contains(where: { $0 != .duplicate }) { await outboxDoorbell.ring() }
        for (span, result) in zip(started, results) { spans.end(span, result) }
        return results
    }
}

/// What processing a command did.
public enum ParticipantResult: Sendable, Hashable {
    /// The handler ran and its reply was written to the outbox.
    case replied(ReplyStatus)
    /// The command was processed before; nothing ran.
    case duplicate
    /// Another attempt of the same step (same idempotency key) already succeeded: the handler
    /// did not run again, and that attempt's successful reply was sent again.
    case repeated
}

/// Carries a handler's error out of the GRDB transaction closure.
private struct HandlerFailure: Error {
    let underlying: any Error
}

/// A participant could not process a command.
public enum ParticipantError: Error, CustomStringConvertible {
    /// The message lacks the engine's envelope headers: it is poison.
    case invalidEnvelope(SagaRuntimeError)
    /// The handler threw; nothing was written.
    case handlerFailed(command: String, coordinates: String, any Error)
    /// The store failed; nothing was written.
    case store(SagaStoreError)

    /// Whether processing again may succeed.
    public var isRetriable: Bool {
        switch self {
        case .invalidEnvelope: false
        case .handlerFailed(_, _, let error): error is any RetriableError
        case .store(.database), .store(.cancelled): true
        case .store: false
        }
    }

    /// A readable description.
    public var description: String {
        switch self {
        case .invalidEnvelope(let error): error.description
        case .handlerFailed(let command, let coordinates, let error): "handler failed on command \(command) (\(coordinates)): \(error)"
        case .store(let error): error.description
        }
    }

    /// The underlying error, for the dead-letter cause header.
    public var underlying: (any Error)? {
        switch self {
        case .invalidEnvelope(let error): error
        case .handlerFailed(_, _, let error): error
        case .store(let error): error
        }
    }
}
