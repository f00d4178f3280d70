import AccountService
import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaTestSupport
import ServiceKit

/// The crash test's workload: a few accounts with known opening balances (one rejecting
/// credits) and many transfers between random pairs of them, drawn from a seeded generator so a
/// failing run can be repeated with its printed seed.
struct TransferPlan: Sendable {
    /// One account of the plan.
    struct Account: Sendable, Hashable {
        var vpa: String
        var openingBalanceMinor: Int64
        var rejectsCredits: Bool
    }

    /// One planned transfer.
    struct Transfer: Sendable, Hashable {
        var id: UUID
        var payer: String
        var payee: String
        var amountMinor: Int64
    }

    /// Opening balances cover every debit the plan can make, so no transfer is refused for
    /// funds or limits: a transfer completes exactly when its payee accepts credits.
    static let accounts: [Account] = [
        Account(vpa: "asha@crashbank", openingBalanceMinor: 90_000_000, rejectsCredits: false),
        Account(vpa: "bala@crashbank", openingBalanceMinor: 80_000_000, rejectsCredits: false),
        Account(vpa: "chitra@crashbank", openingBalanceMinor: 70_000_000, rejectsCredits: false),
        Account(vpa: "dev@crashbank", openingBalanceMinor: 60_000_000, rejectsCredits: false),
        Account(vpa: "esha@crashbank", openingBalanceMinor: 50_000_000, rejectsCredits: true),
    ]

    /// The largest amount drawn (well under the per-transaction limit).
    static let maximumAmountMinor: Int64 = 50_000

    let seed: UInt64
    let transfers: [Transfer]

    /// `count` transfers between distinct random accounts, for random amounts of 1…50,000 minor units.
    init(count: Int, seed: UInt64) {
        self.seed = seed
        var random = SplitMix64(seed: seed)
        transfers = (0..<count).map { _ in
            let payer = Int.random(in: 0..<Self.accounts.count, using: &random)
            var payee = Int.random(in: 0..<(Self.accounts.count - 1), using: &random)
            if payee >= payer { payee += 1 }
            return Transfer(
                id: random.nextUUID(),
                payer: Self.accounts[payer].vpa, payee: Self.accounts[payee].vpa,
                amountMinor: Int64.random(in: 1...Self.maximumAmountMinor, using: &random)
            )
        }
    }

    /// Sum of the opening balances.
    static var startingTotalMinor: Int64 { accounts.reduce(0) { $0 + $1.openingBalanceMinor } }

    /// Whether `transfer` should complete (its payee accepts credits) rather than be refunded.
    static func completes(_ transfer: Transfer) -> Bool {
        !(accounts.first { $0.vpa == transfer.payee }?.rejectsCredits ?? false)
    }

    /// The balances after every transfer has ended: completed ones moved their amount, refunded ones nothing.
    var expectedBalances: [String: Int64] {
        var balances = Dictionary(uniqueKeysWithValues: Self.accounts.map { ($0.vpa, $0.openingBalanceMinor) })
        for transfer in transfers where Self.completes(transfer) {
            balances[transfer.payer, default: 0] -= transfer.amountMinor
            balances[transfer.payee, default: 0] += transfer.amountMinor
        }
        return balances
    }

    /// Opens the accounts (deposits are the modelled way money enters) and marks the rejecting one.
    static func openAccounts(in service: AccountService) async throws {
        for account in accounts {
            try await service.open(vpa: account.vpa, holder: account.vpa, currency: "INR")
            try await service.deposit(vpa: account.vpa, amountMinor: account.openingBalanceMinor)
            if account.rejectsCredits { try await service.setRejectsCredits(vpa: account.vpa, true) }
        }
    }

    /// Publishes a `TransferRequested` for each of `transfers` at once (each with a new message
    /// id, so a resend is a new message for the same transfer), waiting for every ack.
    static func publish(_ transfers: some Collection<Transfer>, topic: String, producer: KafkaProducer) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for transfer in transfers {
                group.addTask {
                    _ = try await producer.send(KafkaMessage(try StartEvent.transferRequested(
                        transferID: transfer.id, payer: transfer.payer, payee: transfer.payee, amountMinor: transfer.amountMinor,
                        source: "system-crash-tests", topic: topic)))
                }
            }
            try await group.waitForAll()
        }
    }
}
