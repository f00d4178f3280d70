import Foundation
import SagaContracts
import SagaCore
import ServiceKit

/// Commands as a participant service consumes them, built from the contracts, for tests that
/// call a participant without a broker.
public enum ContractCommand {
    /// `payload` as the orchestrator sends it on `topic`: the engine's envelope headers, the saga
    /// id as the key, the reply topic of `sagaType`'s saga.
    public static func inbound(
        _ payload: some SagaPayloadCodable, sagaID: UUID, messageID: UUID = UUID(), offset: Int64 = 0,
        topic: String = "account.commands", sagaType: String = "transfer"
    ) throws -> InboundMessage {
        let command = try EncodedPayload(payload)
        return InboundMessage(
            topic: topic, partition: 0, offset: offset, timestampMilliseconds: nil, key: Array(text(sagaID).utf8),
            value: command.payload,
            headers: [
                SagaHeader(SagaHeaders.messageID, text(messageID)), SagaHeader(SagaHeaders.messageType, command.messageType),
                SagaHeader(SagaHeaders.sagaID, text(sagaID)), SagaHeader(SagaHeaders.replyTo, "saga.\(sagaType).replies"),
                SagaHeader(SagaHeaders.sagaType, sagaType),
            ]
        )
    }

    /// A command's envelope for saga `sagaID`, replies to `sagaType`'s topic.
    public static func metadata(_ sagaID: UUID, sagaType: String = "transfer") -> MessageMetadata {
        MessageMetadata(messageId: UUID(), sagaId: sagaID, causationId: nil, occurredAt: Date(), source: "test", traceParent: nil,
            replyTo: "saga.\(sagaType).replies")
    }
}
