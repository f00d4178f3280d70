import AccountService
import Foundation
import SagaCore
import SagaServicesTestSupport
import SagaTestSupport
import SagaCatalog
import ServiceKit
import Testing

/// The UPI transfer saga through the real broker, with the orchestrator and every service
/// running: every path, duplicate requests, and conservation of money.
@Suite(.timeLimit(.minutes(3)))
struct TransferSagaEndToEndTests {
    @Test func everyPathOfTheTransferSagaConservesMoney() async throws {
        let world = try await SagaServicesWorld()
        let accounts = world.accounts
        try await accounts.open(vpa: "alice@okbank", holder: "Alice", perTransactionLimitMinor: 50_000)
        try await accounts.open(vpa: "bob@upibank", holder: "Bob")
        try await accounts.open(vpa: "carol@okbank", holder: "Carol")
        try await accounts.open(vpa: "dave@frozenbank", holder: "Dave")
        try await accounts.open(vpa: "erin@strictbank", holder: "Erin")
        try await accounts.deposit(vpa: "alice@okbank", amountMinor: 100_000)
        try await accounts.deposit(vpa: "carol@okbank", amountMinor: 1_000)
        try await accounts.deposit(vpa: "dave@frozenbank", amountMinor: 5_000)
        try await accounts.setStatus(vpa: "dave@frozenbank", .frozen)
        try await accounts.setRejectsCredits(vpa: "erin@strictbank", true)
        let before = try await accounts.totals()
        #expect(before.balances == 106_000 && before.clearing == 0 && before.netDeposits == 106_000)

        let ok = UUID(), unknownPayee = UUID(), frozenPayer = UUID(), overLimit = UUID(), poor = UUID(), rejected = UUID()
        let firstRequest = UUID()
        try await world.requestTransfer(ok, from: "alice@okbank", to: "bob@upibank", amountMinor: 10_000, messageID: firstRequest)
        try await world.requestTransfer(ok, from: "alice@okbank", to: "bob@upibank", amountMinor: 10_000) // the same transfer again
        try await world.requestTransfer(unknownPayee, from: "alice@okbank", to: "nobody@upibank", amountMinor: 100)
        try await world.requestTransfer(frozenPayer, from: "dave@frozenbank", to: "bob@upibank", amountMinor: 100)
        try await world.requestTransfer(overLimit, from: "alice@okbank", to: "bob@upibank", amountMinor: 60_000)
        try await world.requestTransfer(poor, from: "carol@okbank", to: "bob@upibank", amountMinor: 5_000)
        try await world.requestTransfer(rejected, from: "alice@okbank", to: "erin@strictbank", amountMinor: 2_500)

        // Success: debited once, credited once, both told.
        #expect(try await world.waitForEnd(of: ok).status == .completed)
        #expect(try await accounts.postings(transferID: ok).map(\.kind).sorted() == ["CREDIT", "DEBIT"])
        let okNotices = try await world.deliveredNotifications(about: ok, count: 2)
        #expect(Set(okNotices.map { "\($0.notification.kind) \($0.notification.recipient)" })
            == ["TRANSFER_SENT alice@okbank", "TRANSFER_RECEIVED bob@upibank"])

        // Validation failures: nothing moves, the payer is told why.
        for (id, code) in [(unknownPayee, "VPA_NOT_FOUND"), (frozenPayer, "ACCOUNT_FROZEN"), (overLimit, "LIMIT_EXCEEDED")] {
            let state = try await world.waitForEnd(of: id)
            #expect(state.status == .compensated, "\(code)")
            #expect(try await accounts.postings(transferID: id).isEmpty, "\(code)")
            let notices = try await world.deliveredNotifications(about: id, count: 1)
            #expect(notices.map(\.notification.kind) == ["TRANSFER_FAILED"], "\(code)")
            #expect(notices.first?.notification.parameters["reason"] == code)
        }

        // Insufficient funds: the debit is refused, nothing moves.
        #expect(try await world.waitForEnd(of: poor).status == .compensated)
        #expect(try await accounts.postings(transferID: poor).isEmpty)
        let poorNotices = try await world.deliveredNotifications(about: poor, count: 1)
        #expect(poorNotices.map(\.notification.kind) == ["TRANSFER_FAILED"])
        #expect(poorNotices.first?.notification.parameters["reason"] == "INSUFFICIENT_FUNDS")

        // Credit rejected: debited, then refunded; the payer is told of the refund.
        #expect(try await world.waitForEnd(of: rejected).status == .compensated)
        #expect(try await accounts.postings(transferID: rejected).map(\.kind).sorted() == ["DEBIT", "REFUND"])
        let refundNotices = try await world.deliveredNotifications(about: rejected, count: 1)
        #expect(refundNotices.map(\.notification.kind) == ["TRANSFER_REFUNDED"])
        #expect(refundNotices.first?.notification.parameters["reason"] == "CREDIT_REJECTED")

        // Balances: only the successful transfer moved money; the total never changed.
        #expect(try await accounts.account("alice@okbank")?.balanceMinor == 90_000)
        #expect(try await accounts.account("bob@upibank")?.balanceMinor == 10_000)
        #expect(try await accounts.account("carol@okbank")?.balanceMinor == 1_000)
        #expect(try await accounts.account("dave@frozenbank")?.balanceMinor == 5_000)
        #expect(try await accounts.account("erin@strictbank")?.balanceMinor == 0)
        let after = try await accounts.totals()
        #expect(after.balances == before.balances && after.clearing == 0 && after.netDeposits == before.netDeposits)

        // The same transfer id requested again after it finished: no second debit or credit.
        let resend = UUID()
        try await world.requestTransfer(ok, from: "alice@okbank", to: "bob@upibank", amountMinor: 10_000, messageID: resend)
        try await eventually("the repeated request to be processed") { try await world.orchestratorProcessed(messageID: resend) }
        #expect(try await world.orchestratorProcessed(messageID: firstRequest))
        #expect(try await accounts.postings(transferID: ok).count == 2)
        #expect(try await accounts.account("alice@okbank")?.balanceMinor == 90_000)
        await world.stop()
    }

    /// Many transfers back and forth, some failing: the sum of balances never changes.
    @Test func manyTransfersLeaveTheSumOfBalancesUnchanged() async throws {
        let world = try await SagaServicesWorld()
        let accounts = world.accounts
        let vpas = ["p1@bank", "p2@bank", "p3@bank", "p4@bank"]
        for vpa in vpas {
            try await accounts.open(vpa: vpa, holder: vpa)
            try await accounts.deposit(vpa: vpa, amountMinor: 3_000)
        }
        try await accounts.setRejectsCredits(vpa: "p4@bank", true)
        let before = try await accounts.totals()
        var ids: [UUID] = []
        for index in 0..<16 {
            let id = UUID()
            ids.append(id)
            // Amounts up to 2,400 from 3,000 balances: later ones run out of funds; credits to p4 are refunded.
            try await world.requestTransfer(id, from: vpas[index % 3], to: vpas[(index + 1) % 4], amountMinor: Int64(600 + 300 * (index % 7)))
        }
        var completed = 0
        for id in ids {
            let state = try await world.waitForEnd(of: id)
            #expect(state.status == .completed || state.status == .compensated)
            if state.status == .completed { completed += 1 }
        }
        #expect(completed > 0 && completed < ids.count)
        let after = try await accounts.totals()
        #expect(after.balances == before.balances && after.clearing == 0 && after.netDeposits == before.netDeposits)
        #expect(try await accounts.account("p4@bank")?.balanceMinor == 3_000)
        await world.stop()
    }
}
