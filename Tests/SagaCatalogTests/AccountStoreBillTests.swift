import AccountService
import Foundation
import GRDB
import SagaCore
import SagaSQLite
import SagaServicesTestSupport
import SagaTestSupport
import ServiceKit
import Testing

/// `AccountStore.settle`, the bill-settlement saga's pivot, on SQLite and PostgreSQL (one body, both stores):
/// all shares credited to the owner in one go, or none.
@Suite struct AccountStoreBillTests {
    /// A fresh store of one kind with the suite's data.
    struct Fixture: Sendable {
        let scratch: ScratchServiceStore
        var store: ServiceStore { scratch.store }

        init(scratch: ScratchServiceStore) async throws {
            self.scratch = scratch
            let store = scratch.store
            try await store.write("test") { db in
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
            try await store.write("test") { db in
                try AccountStore.settle(billID: "bill-1", owner: owner, shareTransferIDs: shares, amountMinor: amount, currency: "INR", in: db)
            }
        }

        func state() async throws -> (owner: Int64, clearing: Int64, credits: Int) {
            try await store.read("test") { db in
                (try AccountStore.account("olivia@okbank", in: db)?.balanceMinor ?? -1, try AccountStore.inClearing(in: db),
                 Int(try db.row("SELECT COUNT(*) AS n FROM postings WHERE kind = 'CREDIT'")?.integer("n") ?? -1))
            }
        }

        /// A fresh fixture on `kind`'s database; ``close()`` it at the end.
        static func open(_ kind: ServiceDatabaseKind) async throws -> Fixture {
            try await Fixture(scratch: try await kind.open(sqlite: AccountStore.migrate, postgres: AccountStore.postgresMigrations))
        }

        /// Stops the store's connection pool (PostgreSQL) and removes its files (SQLite).
        func close() { scratch.close() }
    }

    @Test(arguments: ServiceDatabaseKind.available) func everyShareIsCreditedToTheOwnerOnceEvenWhenTheCommandRepeats(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let first = try await t.settle()
        #expect(first.resultID != nil && first.failure == nil)
        #expect(try await t.settle() == first)
        let after = try await t.state()
        #expect(after.owner == 4_000 && after.clearing == 0 && after.credits == 2)
    }

    @Test(arguments: ServiceDatabaseKind.available) func aRefundedShareRefusesTheWholeSettlementAndMovesNothing(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        _ = try await t.store.write("test") { db in try AccountStore.refund(transferID: "share-2", in: db) }
        let result = try await t.settle()
        #expect(result.failure?.code == "CREDIT_REJECTED")
        #expect(result.failure?.message.contains("share-2") == true)
        let after = try await t.state()
        #expect(after.owner == 0 && after.clearing == 1_500 && after.credits == 0)  // share-1's credit was rolled back
    }

    @Test(arguments: ServiceDatabaseKind.available) func aTotalThatDoesNotMatchTheDebitsIsRefused(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        #expect(try await t.settle(amount: 4_001).failure?.code == "CREDIT_REJECTED")
        #expect(try await t.state().credits == 0)
    }

    @Test(arguments: ServiceDatabaseKind.available) func anOwnerWhoCannotReceiveIsRefused(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        _ = try await t.store.write("test") { db in try AccountStore.setStatus(vpa: "olivia@okbank", .frozen, in: db) }
        #expect(try await t.settle().failure?.code == "CREDIT_REJECTED")
        #expect(try await t.settle(["share-1", "share-1"]).failure?.code == "CREDIT_REJECTED")
        #expect(try await t.settle([]).failure?.code == "CREDIT_REJECTED")
        #expect(try await t.state().credits == 0)
    }
}
