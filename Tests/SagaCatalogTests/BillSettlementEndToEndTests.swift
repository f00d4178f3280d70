import AccountService
import BillSettlement
import Foundation
import SagaCore
import SagaServicesTestSupport
import SagaTestSupport
import ServiceKit
import Testing

/// The bill-settlement saga through the real broker, with the orchestrator and every service
/// running: a settled bill, a share without funds, a frozen payer, an owner who cannot be paid,
/// a request sent twice; money is conserved across every account.
@Suite(.timeLimit(.minutes(3)))
struct BillSettlementEndToEndTests {
    @Test func everyPathOfTheBillSettlementConservesMoney() async throws {
        let world = try await SagaServicesWorld()
        let accounts = world.accounts
        for (vpa, deposit) in [("olivia@okbank", 0), ("bob@okbank", 10_000), ("carol@okbank", 10_000), ("dave@okbank", 100),
                               ("frank@okbank", 10_000), ("erin@strictbank", 0)] as [(String, Int64)] {
            try await accounts.open(vpa: vpa, holder: vpa)
            if deposit > 0 { try await accounts.deposit(vpa: vpa, amountMinor: deposit) }
        }
        try await accounts.setStatus(vpa: "frank@okbank", .frozen)
        try await accounts.setRejectsCredits(vpa: "erin@strictbank", true)
        let before = try await accounts.totals()

        let settled = UUID(), poor = UUID(), frozen = UUID(), unpayable = UUID()
        try await world.requestBillSettlement(settled, owner: "olivia@okbank", shares: [("bob@okbank", 1_500), ("carol@okbank", 2_500)])
        try await world.requestBillSettlement(settled, owner: "olivia@okbank", shares: [("bob@okbank", 1_500), ("carol@okbank", 2_500)])
        try await world.requestBillSettlement(poor, owner: "olivia@okbank", shares: [("bob@okbank", 1_000), ("dave@okbank", 5_000)])
        try await world.requestBillSettlement(frozen, owner: "olivia@okbank", shares: [("carol@okbank", 800), ("frank@okbank", 800)])
        try await world.requestBillSettlement(unpayable, owner: "erin@strictbank", shares: [("bob@okbank", 700), ("carol@okbank", 300)])

        // Settled: each share debited and credited to the owner once; everyone told.
        let settledState = try await world.waitForEnd(of: settled)
        #expect(settledState.status == .completed)
        for share in try BillSettlementData.decodePayload(settledState.data).shares {
            let postings = try await accounts.postings(transferID: try uuid(share.transferID, "share"))
            #expect(postings.map(\.kind).sorted() == ["CREDIT", "DEBIT"])
            #expect(postings.first { $0.kind == "CREDIT" }?.vpa == "olivia@okbank")
        }
        let settledNotices = try await world.deliveredNotifications(about: settled, count: 3)
        #expect(Set(settledNotices.map { "\($0.notification.kind) \($0.notification.recipient)" })
            == ["BILL_SETTLED bob@okbank", "BILL_SETTLED carol@okbank", "BILL_SETTLED olivia@okbank"])

        // A share without funds: bob's share (taken or not) is given back, nothing reaches the owner.
        let poorState = try await world.waitForEnd(of: poor)
        #expect(poorState.status == .compensated)
        let poorShares = try BillSettlementData.decodePayload(poorState.data).shares
        let bobShare = try await accounts.postings(transferID: try uuid(poorShares[0].transferID, "share")).map(\.kind).sorted()
        #expect(bobShare == [] || bobShare == ["DEBIT", "REFUND"])
        #expect(try await accounts.postings(transferID: try uuid(poorShares[1].transferID, "share")).isEmpty)
        let poorNotices = try await world.deliveredNotifications(about: poor, count: 3)
        #expect(poorNotices.allSatisfy { $0.notification.kind == "BILL_FAILED" && $0.notification.parameters["reason"] == "INSUFFICIENT_FUNDS" })
        #expect(poorNotices.allSatisfy { $0.notification.parameters["failedPayer"] == "dave@okbank" })

        // A frozen payer: refused at validation, nothing moves.
        let frozenState = try await world.waitForEnd(of: frozen)
        #expect(frozenState.status == .compensated)
        for share in try BillSettlementData.decodePayload(frozenState.data).shares {
            #expect(try await accounts.postings(transferID: try uuid(share.transferID, "share")).isEmpty)
        }
        let frozenNotices = try await world.deliveredNotifications(about: frozen, count: 3)
        #expect(frozenNotices.allSatisfy { $0.notification.parameters["reason"] == "ACCOUNT_FROZEN" })

        // An owner who cannot be paid: every share collected, then every share refunded.
        let unpayableState = try await world.waitForEnd(of: unpayable)
        #expect(unpayableState.status == .compensated)
        for share in try BillSettlementData.decodePayload(unpayableState.data).shares {
            #expect(try await accounts.postings(transferID: try uuid(share.transferID, "share")).map(\.kind).sorted() == ["DEBIT", "REFUND"])
        }
        let unpayableNotices = try await world.deliveredNotifications(about: unpayable, count: 3)
        #expect(unpayableNotices.allSatisfy { $0.notification.parameters["reason"] == "CREDIT_REJECTED" })
        #expect(unpayableNotices.filter { $0.notification.parameters["role"] == "payer" }.allSatisfy { $0.notification.parameters["refundId"] != nil })

        // Only the settled bill moved money; the total never changed and nothing is left in clearing.
        #expect(try await accounts.account("olivia@okbank")?.balanceMinor == 4_000)
        #expect(try await accounts.account("bob@okbank")?.balanceMinor == 8_500)
        #expect(try await accounts.account("carol@okbank")?.balanceMinor == 7_500)
        #expect(try await accounts.account("dave@okbank")?.balanceMinor == 100)
        #expect(try await accounts.account("erin@strictbank")?.balanceMinor == 0)
        let after = try await accounts.totals()
        #expect(after.balances == before.balances && after.clearing == 0 && after.netDeposits == before.netDeposits)
        await world.stop()
    }
}
