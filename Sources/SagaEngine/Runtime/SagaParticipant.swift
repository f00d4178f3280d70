import Foundation
import GRDB

/// Marks an error thrown by a handler as transient: the message is processed again (under the
/// service's retry policy) instead of going straight to the dead-letter topic.
public protocol RetriableError: Error {}

/// The processing core of a participant service: runs a command handler in a local SQLite
/// transaction together with the inbox entry that deduplicates the command and the outbox
/// row of its reply. A service written on it is idempotent by construction: a redelivered
/// command finds its inbox entry and is skipped, and a handler that throws leaves nothing
/// behind — no business change, no reply, no inbox entry.
///
/// The handler receives the open GRDB `Database`, so the service's own tables live in the same
/// file and change in the same transaction.
public struct SagaParticipant: Sendable {
    /// Handles one command inside the transaction.
    public typealias Handler = @Sendable (ParticipantCommand, Database) throws -> ParticipantReply

    /// What processing a command did.
    public enum Result: Sendable, Hashable {
        /// The handler ran and its reply was written to the outbox.
        case replied(ReplyStatus)
        /// The command was processed before; nothing ran.
        case duplicate
    }

    /// The store holding inbox, outbox and the service's tables.
    public let store: SQLiteSagaStore
    /// The consumer name inbox entries are recorded under (usually the service name).
    public let consumerName: String
    /// Rung after each commit that wrote a reply.
    public let outboxDoorbell: Doorbell
    private let handler: Handler

    /// Creates a participant core.
    public init(store: SQLiteSagaStore, consumerName: String, outboxDoorbell: Doorbell = Doorbell(), handler: @escaping Handler) {
        self.store = store
        self.consumerName = consumerName
        self.outboxDoorbell = outboxDoorbell
        self.handler = handler
    }

    /// Processes one consumed command. Throws ``ParticipantError`` when the envelope is invalid
    /// or the handler throws (then nothing was written).
    public func process(_ message: InboundMessage) async throws(ParticipantError) -> Result {
        let command: ParticipantCommand
        do {
            command = try ParticipantCommand(from: message)
        } catch {
            throw .invalidEnvelope(error)
        }
        let entry = InboxEntry(
            consumer: consumerName, messageID: command.messageID, topic: message.topic, partition: message.partition,
            offset: message.offset
        )
        let handler = self.handler
        do {
            let result = try await store.pool.write { db -> Result in
                guard case .committed = try SQLiteSagaStore.apply(SagaCommit(inbox: entry), in: db) else { return .duplicate }
                let reply: ParticipantReply
                do {
                    reply = try handler(command, db)
                } catch {
                    throw HandlerFailure(underlying: error)
                }
                _ = try SQLiteSagaStore.apply(SagaCommit(outbox: [reply.message(answering: command)]), in: db)
                return .replied(reply.status)
            }
            if case .replied = result { await outboxDoorbell.ring() }
            return result
        } catch let failure as HandlerFailure {
            throw .handlerFailed(command: command.messageID, coordinates: message.coordinates, failure.underlying)
        } catch {
            throw .store(SQLiteSagaStore.wrap(error, "process command \(command.messageID)"))
        }
    }
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
