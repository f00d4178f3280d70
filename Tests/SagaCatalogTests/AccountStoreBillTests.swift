import AccountService
import Foundation
import GRDB
import SagaCore
import SagaSQLite
import SagaServicesTestSupport
import SagaTestSupport
import ServiceKit
import Testing

/// `AccountStore.settle`, the bill-settlement saga's pivot, against the real SQLite store:
/// all shares credited to the owner in one go, or none.
@Suite struct AccountStoreBillTests {
    let directory: TemporaryDirectory
    let store: SQLiteSagaStore

    init() async throws {
        directory = try TemporaryDirectory()
        store = try await scratchStore(directory, AccountStore.migrate)
        try await store.pool.write { db in
            for (vpa, balance) in [("olivia@okbank", Int64(0)), ("bob@okbank", 5_000), ("carol@okbank", 5_000)] {
                _ = try AccountStore.open(vpa: vpa, holder: vpa, currency: "INR", perTransactionLimitMinor: 5_000,
                    dailyLimitMinor: 50_000, in: db)
                if balance > 0 { try AccountStore.deposit(vpa: vpa, amountMinor: balance, in: db) }
            }
            _ = try AccountStore.debit(transferID: "share-1", payer: "bob@okbank", amountMinor: 1_500, currency: "INR", in: db)
            _ = try AccountStore.debit(transferID: "share-2", payer: "carol@okbank", amountMinor: 2_500, currency: "INR", in: db)
        }
    }

    func settle(_ shares: [String] = ["share-1", "share-2"], amount: Int64 = 4_000, owner: String = "olivia@okbank") async throws -> StepResult {
        try await store.pool.write { db in
            try AccountStore.settle(billID: "bill-1", owner: owner, shareTransferIDs: shares, amountMinor: amount, currency: "INR", in: db)
        }
    }

    func state() async throws -> (owner: Int64, clearing: Int64, credits: Int) {
        try await store.pool.read { db in
            (try AccountStore.account("olivia@okbank", in: db)?.balanceMinor ?? -1, try AccountStore.inClearing(in: db),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM postings WHERE kind = 'CREDIT'") ?? -1)
        }
    }

    @Test func everyShareIsCreditedToTheOwnerOnceEvenWhenTheCommandRepeats() async throws {
        let first = try await settle()
        #expect(first.resultID != nil && first.failure == nil)
        #expect(try await settle() == first)
        let after = try await state()
        #expect(after.owner == 4_000 && after.clearing == 0 && after.credits == 2)
    }

    @Test func aRefundedShareRefusesTheWholeSettlementAndMovesNothing() async throws {
        _ = try await store.pool.write { db in try AccountStore.refund(transferID: "share-2", in: db) }
        let result = try await settle()
        #expect(result.failure?.code == "CREDIT_REJECTED")
        #expect(result.failure?.message.contains("share-2") == true)
        let after = try await state()
        #expect(after.owner == 0 && after.clearing == 1_500 && after.credits == 0)  // share-1's credit was rolled back
    }

    @Test func aTotalThatDoesNotMatchTheDebitsIsRefused() async throws {
        #expect(try await settle(amount: 4_001).failure?.code == "CREDIT_REJECTED")
        #expect(try await state().credits == 0)
    }

    @Test func anOwnerWhoCannotReceiveIsRefused() async throws {
        _ = try await store.pool.write { db in try AccountStore.setStatus(vpa: "olivia@okbank", .frozen, in: db) }
        #expect(try await settle().failure?.code == "CREDIT_REJECTED")
        #expect(try await settle(["share-1", "share-1"]).failure?.code == "CREDIT_REJECTED")
        #expect(try await settle([]).failure?.code == "CREDIT_REJECTED")
        #expect(try await state().credits == 0)
    }
}
