import Foundation
import SagaContracts
import SagaCore

/// A text id that should be a UUID was not one.
public struct InvalidUUIDError: Error, Hashable, CustomStringConvertible {
    /// What the id was for.
    public var field: String
    /// The text.
    public var value: String
    /// A readable description.
    public var description: String { "\(field) '\(value)' is not a UUID" }
}

/// Parses UUID text, throwing a typed error that names the field.
public func uuid(_ text: String, _ field: String) throws(InvalidUUIDError) -> UUID {
    guard let value = UUID(uuidString: text) else { throw InvalidUUIDError(field: field, value: text) }
    return value
}

/// A UUID as the contracts write it (canonical lower-case text).
public func text(_ id: UUID) -> String { id.uuidString.lowercased() }

extension MessageMetadata {
    /// The envelope of a command the orchestrator sends, from the engine's context.
    public static func command(_ context: CommandContext, source: String) throws -> MessageMetadata {
        MessageMetadata(
            messageId: try uuid(context.messageID, "command id"), sagaId: try uuid(context.sagaID, "saga id"),
            causationId: context.causationID.flatMap { UUID(uuidString: $0) }, occurredAt: context.occurredAt,
            source: source, traceParent: nil, replyTo: context.replyTo
        )
    }

    /// The envelope of a participant's reply to `command`: its message id is the one the engine
    /// puts in the reply's `message-id` header (derived from the command's id, so a reprocessed
    /// command yields the same reply id).
    public static func reply(to command: ParticipantCommand, source: String, at now: Date = Date()) throws -> MessageMetadata {
        MessageMetadata(
            messageId: try uuid(DeterministicUUID.make("reply/\(command.messageID)"), "reply id"),
            sagaId: try uuid(command.sagaID, "saga id"), causationId: try uuid(command.messageID, "command id"),
            occurredAt: now, source: source, traceParent: nil, replyTo: nil
        )
    }
}

extension Failure {
    /// A failure with `code` (schemas/README.md's reason codes) and a message.
    public static func code(_ code: String, _ message: String) -> Failure { Failure(code: code, message: message) }
}
