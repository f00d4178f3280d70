import Foundation
import SagaCore

/// A command (or compensation) the saga sent, as a participant would receive it.
public struct SentCommand: Sendable, Hashable {
    /// The message as the outbox would publish it (topic, key, payload, headers).
    public var message: OutgoingMessage
    /// The step it belongs to.
    public var step: String
    /// Forward (the step's command) or compensation (its undo).
    public var phase: SagaPhase
    /// The attempt (1-based).
    public var attempt: Int
    /// The saga's request number (numbers the history rows).
    public var sequence: Int
    /// When it was sent (the scenario's clock).
    public var sentAt: Date
    /// For a step over a list: the index of the item it is for.
    public var item: Int? = nil

    /// The command's message id: the causation id of its reply.
    public var messageID: String { message.messageID ?? "" }
    /// The payload's wire type name.
    public var messageType: String { message.headers.string(SagaHeaders.messageType) ?? "" }
    /// The participant's topic.
    public var topic: String { message.topic }
    /// The saga instance.
    public var sagaID: String { message.headers.string(SagaHeaders.sagaID) ?? "" }

    /// Decodes the payload as `T`, checking the wire type first.
    public func decode<T: SagaPayloadCodable>(_ type: T.Type) throws -> T {
        try participantCommand().decode(type)
    }

    /// The command as a participant's handler receives it (``ParticipantCommand``), so a test can
    /// run a real handler on it.
    public func participantCommand() throws -> ParticipantCommand {
        try ParticipantCommand(from: InboundMessage(
            topic: message.topic, partition: 0, offset: Int64(sequence),
            timestampMilliseconds: Int64((sentAt.timeIntervalSince1970 * 1000).rounded()), key: message.key, value: message.value,
            headers: message.headers
        ))
    }
}
