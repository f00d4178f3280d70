import BillSettlement
import Foundation
import SagaContracts
import SagaCore
import SagaTestKit
import ServiceKit
import Testing

/// Every path of the bill-settlement saga on the test kit: no broker, no database.
@Suite struct BillSettlementScenarioTests {
    typealias F = BillFixture

    @Test func everyShareIsCollectedThenTheOwnerIsPaidTheTotalAndEveryoneIsTold() throws {
        var saga = try F.scenario()
        let validations = try saga.commands(for: "validateShares").map { try $0.decode(ValidateTransfer.self) }
        #expect(validations.map(\.payerVpa) == F.payers)
        #expect(validations.allSatisfy { $0.payeeVpa == F.owner })
        #expect(Set(validations.map(\.transferId)).count == 3)

        try saga.collectEveryShare()
        let debits = try saga.commands(for: "collectShares").map { try $0.decode(DebitPayer.self) }
        #expect(debits.map(\.amount.amountMinor) == F.amounts)
        #expect(debits.map(\.transferId) == validations.map(\.transferId))
        let pay = try saga.lastCommand(for: "payOwner", as: PayBillOwner.self)
        #expect(pay.amount == Money(amountMinor: 5_000, currency: "INR"))
        #expect(pay.ownerVpa == F.owner && pay.billId == F.billID)
        #expect(pay.shareTransferIds == debits.map(\.transferId))

        try saga.payOwner()
        try saga.acknowledgeNotifications("notifySettled")
        #expect(saga.status == .completed)
        #expect(try saga.notices("role", "amountMinor") == [
            "BILL_SETTLED bob@okbank payer 1500", "BILL_SETTLED carol@okbank payer 2500",
            "BILL_SETTLED dave@okbank payer 1000", "BILL_SETTLED olivia@okbank owner 5000",
        ])
        #expect(try saga.data.settlementID == text(F.settlementID))
        #expect(try saga.data.shares.map(\.debitID) == (0..<3).map { text(F.debitID($0)) })
        #expect(saga.completedSteps == ["notifyFailure", "validateShares", "collectShares", "payOwner", "notifySettled"])
        #expect(saga.compensations.isEmpty)
    }

    @Test(arguments: ["VPA_NOT_FOUND", "ACCOUNT_FROZEN", "LIMIT_EXCEEDED"])
    func aShareRefusedAtValidationTakesNothingAndTellsEveryoneWhy(code: String) throws {
        var saga = try F.scenario()
        try saga.validate(0)
        try saga.validate(1, refusing: code)
        try saga.validate(2)  // answered after the failure: changes nothing
        #expect(saga.commands(for: "collectShares").isEmpty)
        try saga.acknowledgeNotifications("notifyFailure")

        #expect(saga.status == .compensated)
        #expect(saga.failureReason?.contains("item 1 of step 'validateShares' failed: \(code)") == true)
        #expect(try saga.notices("reason", "failedPayer", "refundId") == [
            "BILL_FAILED olivia@okbank \(code) carol@okbank -", "BILL_FAILED dave@okbank \(code) carol@okbank -",
            "BILL_FAILED carol@okbank \(code) carol@okbank -", "BILL_FAILED bob@okbank \(code) carol@okbank -",
        ])
        #expect(saga.compensations == ["validateShares", "notifyFailure"])
    }

    @Test func aShareWithoutFundsRefundsTheCollectedAndInFlightSharesLastFirst() throws {
        var saga = try F.scenario()
        for item in 0..<3 { try saga.validate(item) }
        try saga.collect(0)
        try saga.collect(2, refusing: "INSUFFICIENT_FUNDS")
        #expect(saga.status == .compensating)
        // bob's share was taken, carol's is in flight (unknown), dave's was refused: nothing to give back.
        let refunds = try saga.commands(for: "collectShares", phase: .compensation).map { try $0.decode(RefundPayer.self) }
        #expect(refunds.map(\.payerVpa) == ["carol@okbank", "bob@okbank"])
        #expect(refunds.map(\.debitId) == [nil, F.debitID(0)])
        #expect(refunds.allSatisfy { $0.reason.code == "INSUFFICIENT_FUNDS" })

        try saga.refund(1, nothingTaken: true)
        try saga.refund(0)
        try saga.acknowledgeNotifications("notifyFailure")
        #expect(saga.status == .compensated)
        #expect(saga.commands(for: "payOwner").isEmpty)
        #expect(try saga.notices("reason", "failedPayer", "refundId", "amountMinor") == [
            "BILL_FAILED olivia@okbank INSUFFICIENT_FUNDS dave@okbank - 5000",
            "BILL_FAILED dave@okbank INSUFFICIENT_FUNDS dave@okbank - 1000",
            "BILL_FAILED carol@okbank INSUFFICIENT_FUNDS dave@okbank - 2500",
            "BILL_FAILED bob@okbank INSUFFICIENT_FUNDS dave@okbank \(text(F.refundID(0))) 1500",
        ])
        #expect(saga.compensations == ["collectShares", "validateShares", "notifyFailure"])
    }

    @Test func anOwnerWhoCannotBePaidGetsEveryShareRefunded() throws {
        var saga = try F.scenario()
        try saga.collectEveryShare()
        try saga.payOwner(refusing: "CREDIT_REJECTED")
        #expect(saga.commands(for: "collectShares", phase: .compensation).map(\.item) == [2, 1, 0])
        for item in [2, 1, 0] { try saga.refund(item) }
        try saga.acknowledgeNotifications("notifyFailure")
        #expect(saga.status == .compensated)
        #expect(try saga.data.shares.map(\.refundID) == (0..<3).map { text(F.refundID($0)) })
        #expect(try saga.notices("reason", "refundId").filter { $0.hasPrefix("BILL_FAILED bob") }
            == ["BILL_FAILED bob@okbank CREDIT_REJECTED \(text(F.refundID(0)))"])
    }

    @Test func aShareThatNeverAnswersIsRetriedThenRefundedAsPossiblyTaken() throws {
        var saga = try F.scenario()
        for item in 0..<3 { try saga.validate(item) }
        try saga.collect(0)
        try saga.collect(1)
        try saga.advance(by: .seconds(1))  // dave's debit: no reply
        try saga.advance(by: .seconds(1))  // its backoff: sent again
        #expect(saga.commands(for: "collectShares", item: 2).map(\.attempt) == [1, 2])
        try saga.advance(by: .seconds(1))  // no reply again: out of attempts
        #expect(saga.status == .compensating)
        let refunds = try saga.commands(for: "collectShares", phase: .compensation).map { try $0.decode(RefundPayer.self) }
        #expect(refunds.map(\.payerVpa) == ["dave@okbank", "carol@okbank", "bob@okbank"])
        #expect(refunds.first?.debitId == nil)
        #expect(saga.attempts.filter { $0.phase == .compensation }.first?.compensatesUncertainStep == true)
    }

    @Test func aRedeliveredDebitReplyCollectsNothingTwice() throws {
        var saga = try F.scenario()
        for item in 0..<3 { try saga.validate(item) }
        try saga.collect(0)
        let sent = saga.sentCommands.count
        #expect(try saga.redeliverLastReply().ignored == .lateReply)
        #expect(saga.sentCommands.count == sent)
        #expect(saga.awaitedItems == [1, 2])
    }

    @Test func aSagaRestartedBetweenSharesFromItsStoredStateGoesOn() throws {
        var saga = try F.scenario()
        for item in 0..<3 { try saga.validate(item) }
        try saga.collect(1)
        var restarted = try saga.restarted()
        #expect(restarted.awaitedItems == [0, 2])
        try restarted.collect(0)
        try restarted.collect(2)
        try restarted.payOwner()
        try restarted.acknowledgeNotifications("notifySettled")
        #expect(restarted.status == .completed)
        #expect(try restarted.data.shares.map(\.debitID) == (0..<3).map { text(F.debitID($0)) })
    }

    @Test func aNotificationThatKeepsFailingAfterThePaymentParksTheSagaForAnOperator() throws {
        var stuck = try F.scenario()
        try stuck.collectEveryShare()
        try stuck.payOwner()
        try stuck.reply(to: "notifySettled", item: 0, with: .retriableFailure(reason: "SMS gateway down"))
        try stuck.advance(by: .seconds(1))  // the others time out, bob's backoff ends
        try stuck.advance(by: .seconds(1))
        #expect(stuck.status == .failed)
        #expect(stuck.commands(for: "collectShares", phase: .compensation).isEmpty)  // after the pivot nothing is undone
        try stuck.retry()
        #expect(stuck.status == .running)
        try stuck.acknowledgeNotifications("notifySettled")
        #expect(stuck.status == .completed)
    }
}
