import SagaTestSupport
import AccountService
import Foundation
import InventoryService
import SagaContracts
import SagaCore
import SagaAvro
import SagaServicesTestSupport
import ServiceKit
import Testing

/// The services' command handlers on the participant runtime, without a broker: a consumed
/// command runs once (inbox), its reply lands in the outbox with the contract's envelope, and
/// a resent command (a step's next attempt, new message id) is idempotent in the domain.
@Suite struct ParticipantHandlerTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// A consumed command as the orchestrator sends it.
    func inbound(_ payload: some SagaPayloadCodable, sagaID: UUID, messageID: UUID = UUID(), offset: Int64 = 0) throws -> InboundMessage {
        try ContractCommand.inbound(payload, sagaID: sagaID, messageID: messageID, offset: offset)
    }

    func metadata(_ sagaID: UUID) -> MessageMetadata { ContractCommand.metadata(sagaID) }

    @Test func aDebitCommandRunsOnceAndItsResendReturnsTheSameDebit() async throws {
        let service = try await AccountService(path: directory.file("accounts.sqlite"))
        try await service.open(vpa: "alice@okbank", holder: "Alice")
        try await service.deposit(vpa: "alice@okbank", amountMinor: 1_000)
        let transfer = UUID()
        let debit = DebitPayer(metadata: metadata(transfer), transferId: transfer, payerVpa: "alice@okbank",
            amount: Money(amountMinor: 400, currency: "INR"))
        let first = try inbound(debit, sagaID: transfer)
        #expect(try await service.participant.process(first) == .replied(.succeeded))
        #expect(try await service.participant.process(first) == .duplicate)
        let resend = try inbound(debit, sagaID: transfer, offset: 1)
        #expect(try await service.participant.process(resend) == .replied(.succeeded))
        #expect(try await service.account("alice@okbank")?.balanceMinor == 600)

        let replies = try await service.store.pendingOutbox(limit: 10).map(\.message)
        #expect(replies.count == 2)
        let decoded = try replies.map { try DebitPayerReply.decodePayload($0.value) }
        #expect(decoded.allSatisfy { $0.outcome == .succeeded && $0.failure == nil })
        #expect(decoded[0].debitId != nil && decoded[0].debitId == decoded[1].debitId)
        // The reply's envelope matches its headers: message id, causation (the command), saga.
        for (reply, body) in zip(replies, decoded) {
            #expect(reply.topic == "saga.transfer.replies")
            #expect(reply.headers.string(SagaHeaders.messageID) == text(body.metadata.messageId))
            #expect(reply.headers.string(SagaHeaders.messageType) == DebitPayerReply.messageType)
            #expect(body.metadata.sagaId == transfer && body.metadata.source == AccountService.name)
        }
        #expect(decoded[0].metadata.causationId == UUID(uuidString: first.messageID ?? ""))
    }

    @Test func aBusinessRefusalIsAFailureReplyCarryingTheCode() async throws {
        let service = try await AccountService(path: directory.file("accounts.sqlite"))
        try await service.open(vpa: "bob@upibank", holder: "Bob")
        let transfer = UUID()
        let debit = DebitPayer(metadata: metadata(transfer), transferId: transfer, payerVpa: "bob@upibank",
            amount: Money(amountMinor: 1, currency: "INR"))
        #expect(try await service.participant.process(try inbound(debit, sagaID: transfer)) == .replied(.businessFailure))
        let reply = try #require(try await service.store.pendingOutbox(limit: 1).first?.message)
        #expect(reply.headers.string(SagaHeaders.replyStatus) == "failure")
        #expect(reply.headers.string(SagaHeaders.replyReason)?.hasPrefix("INSUFFICIENT_FUNDS: ") == true)
        let body = try DebitPayerReply.decodePayload(reply.value)
        #expect(body.outcome == .businessFailure && body.failure?.code == "INSUFFICIENT_FUNDS" && body.debitId == nil)
    }

    @Test func aCommandTheServiceDoesNotHandleIsRejectedAndWritesNothing() async throws {
        let service = try await InventoryService(path: directory.file("inventory.sqlite"))
        let transfer = UUID()
        let wrong = DebitPayer(metadata: metadata(transfer), transferId: transfer, payerVpa: "alice@okbank",
            amount: Money(amountMinor: 1, currency: "INR"))
        await #expect(throws: ParticipantError.self) {
            try await service.participant.process(try inbound(wrong, sagaID: transfer))
        }
        #expect(try await service.store.pendingOutbox(limit: 1).isEmpty)
    }
}
