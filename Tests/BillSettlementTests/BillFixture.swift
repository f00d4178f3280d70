import BillSettlement
import Foundation
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit

/// A dinner bill paid by olivia: bob owes ₹15, carol ₹25, dave ₹10; and the account service's
/// contract replies to the saga's commands.
enum BillFixture {
    static let billID = UUID(uuidString: "b111b111-0000-4000-8000-000000000001") ?? UUID()
    static let owner = "olivia@okbank"
    static let payers = ["bob@okbank", "carol@okbank", "dave@okbank"]
    static let amounts: [Int64] = [1_500, 2_500, 1_000]

    static var event: BillSettlementRequested {
        BillSettlementRequested(
            metadata: MessageMetadata(messageId: UUID(), sagaId: billID, causationId: nil, occurredAt: Date(timeIntervalSince1970: 0),
                source: "test", traceParent: nil, replyTo: nil),
            billId: billID, ownerVpa: owner, currency: "INR",
            shares: zip(payers, amounts).map { BillShare(payerVpa: $0, amountMinor: $1) }, note: "dinner"
        )
    }

    /// The bill-settlement saga as shipped, with 1 s timeouts and retry policies small enough to run out.
    static func scenario() throws -> SagaScenario<BillSettlementData> {
        try SagaScenario(
            BillSettlementSaga.definition(timeout: .seconds(1), retry: .exponential(maxAttempts: 2, initial: .seconds(1), jitter: 0),
                afterPivotRetry: .exponential(maxAttempts: 2, initial: .seconds(1), jitter: 0)),
            data: BillSettlementData(event), sagaID: text(billID)
        )
    }

    static func refused(_ code: String) -> Failure { Failure(code: code, message: "\(code.lowercased()) in test") }
    static func debitID(_ item: Int) -> UUID { UUID(uuidString: "d0000000-0000-4000-8000-00000000000\(item)") ?? UUID() }
    static func refundID(_ item: Int) -> UUID { UUID(uuidString: "e0000000-0000-4000-8000-00000000000\(item)") ?? UUID() }
    static let settlementID = UUID(uuidString: "5e771e00-0000-4000-8000-000000000001") ?? UUID()
}

extension SagaScenario<BillSettlementData> {
    typealias F = BillFixture

    /// Answers item `item` of `step` as the account service would: with the contract reply `make`
    /// builds from the reply's envelope and the command.
    @discardableResult
    mutating func answer<Reply: SagaReply & SagaPayloadCodable>(
        _ step: String, item: Int, _ make: (MessageMetadata, SentCommand) throws -> Reply
    ) throws -> SagaTransition {
        guard let command = commands(for: step, item: item).last else { throw SagaScenarioError.noCommandSent(step: "\(step)[\(item)]") }
        let metadata = try MessageMetadata.reply(to: command.participantCommand(), source: "account-service", at: now)
        return try reply(to: step, item: item, with: .participant(.contract(make(metadata, command))))
    }

    /// Answers the single step `step` likewise.
    @discardableResult
    mutating func answer<Reply: SagaReply & SagaPayloadCodable>(_ step: String, _ make: (MessageMetadata) throws -> Reply) throws -> SagaTransition {
        let metadata = try MessageMetadata.reply(to: lastCommand(for: step).participantCommand(), source: "account-service", at: now)
        return try reply(to: step, with: .participant(.contract(make(metadata))))
    }

    mutating func validate(_ item: Int, refusing code: String? = nil) throws {
        try answer("validateShares", item: item) { m, c in
            ValidateTransferReply(metadata: m, transferId: try c.decode(ValidateTransfer.self).transferId,
                outcome: code == nil ? .succeeded : .businessFailure, failure: code.map(F.refused))
        }
    }

    mutating func collect(_ item: Int, refusing code: String? = nil) throws {
        try answer("collectShares", item: item) { m, c in
            DebitPayerReply(metadata: m, transferId: try c.decode(DebitPayer.self).transferId,
                outcome: code == nil ? .succeeded : .businessFailure, failure: code.map(F.refused), debitId: code == nil ? F.debitID(item) : nil)
        }
    }

    mutating func refund(_ item: Int, nothingTaken: Bool = false) throws {
        try answer("collectShares", item: item) { m, c in
            RefundPayerReply(metadata: m, transferId: try c.decode(RefundPayer.self).transferId, outcome: .succeeded, failure: nil,
                refundId: nothingTaken ? nil : F.refundID(item))
        }
    }

    mutating func payOwner(refusing code: String? = nil) throws {
        try answer("payOwner") { m in
            PayBillOwnerReply(metadata: m, billId: F.billID, outcome: code == nil ? .succeeded : .businessFailure,
                failure: code.map(F.refused), settlementId: code == nil ? F.settlementID : nil)
        }
    }

    /// Acknowledges every awaited notification of `step`.
    mutating func acknowledgeNotifications(_ step: String) throws {
        while currentStep == step, let item = awaitedItems.first {
            try answer(step, item: item) { m, c in
                SendNotificationReply(metadata: m, subjectId: try c.decode(SendNotification.self).subjectId, outcome: .succeeded,
                    failure: nil, notificationId: UUID())
            }
        }
    }

    /// Validates and collects every share: the saga then waits for the owner's payment (the pivot).
    mutating func collectEveryShare() throws {
        for item in 0..<3 { try validate(item) }
        for item in 0..<3 { try collect(item) }
    }

    /// The notifications sent, in order: kind, recipient, and the parameters named.
    func notices(_ names: String...) throws -> [String] {
        try sentCommands.filter { $0.messageType == SendNotification.messageType }.map {
            let notice = try $0.decode(SendNotification.self)
            return ([notice.kind.rawValue, notice.recipient] + names.map { notice.parameters[$0] ?? "-" }).joined(separator: " ")
        }
    }
}
