import Foundation
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit

extension SagaScenario {
    /// Answers the last command of `step` as its participant would: with the contract reply `make`
    /// builds from the reply's envelope (`MessageMetadata.reply(to:)`), mapped to the engine's
    /// status and reason by `ParticipantReply.contract`.
    @discardableResult
    mutating func answer<Reply: SagaReply & SagaPayloadCodable>(
        _ step: String, _ make: (MessageMetadata) throws -> Reply
    ) throws -> SagaTransition {
        let metadata = try MessageMetadata.reply(to: lastCommand(for: step).participantCommand(), source: "test-participant", at: now)
        return try reply(to: step, with: .participant(.contract(make(metadata))))
    }

    /// Acknowledges the last `SendNotification` of `step` as the notification service does.
    @discardableResult
    mutating func acknowledgeNotification(_ step: String) throws -> SagaTransition {
        let notice = try lastCommand(for: step, as: SendNotification.self)
        return try answer(step) {
            SendNotificationReply(metadata: $0, subjectId: notice.subjectId, outcome: .succeeded, failure: nil, notificationId: UUID())
        }
    }

    /// The notifications sent, in order: kind and recipient.
    func notifications() throws -> [Notice] {
        try sentCommands.filter { $0.messageType == SendNotification.messageType }.map {
            let notice = try $0.decode(SendNotification.self)
            return Notice(kind: notice.kind, recipient: notice.recipient, reason: notice.parameters["reason"])
        }
    }

    /// The wire types of the commands sent, without their namespace, in order (`DebitPayer`, …).
    var commandTypes: [String] { sentCommands.map { String($0.messageType.split(separator: ".").last ?? "") } }
}

/// A fixed UUID (version 4 layout) ending in `last`.
func fixedUUID(_ last: UInt8) -> UUID {
    UUID(uuid: (0x7E, 0x57, 0xA0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, last))
}
