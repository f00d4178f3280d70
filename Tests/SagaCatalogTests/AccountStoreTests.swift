import AccountService
import Foundation
import GRDB
import SagaCore
import SagaSQLite
import SagaServicesTestSupport
import SagaTestSupport
import ServiceKit
import Testing

/// The UPI account rules on SQLite and PostgreSQL (one body, both stores).
@Suite struct AccountStoreTests {
    /// A fresh store of one kind with the suite's data.
    struct Fixture: Sendable {
        let scratch: ScratchServiceStore
        var store: ServiceStore { scratch.store }

        init(scratch: ScratchServiceStore) async throws {
            self.scratch = scratch
            let store = scratch.store
            try await store.write("test") { db in
                for (vpa, balance) in [("alice@okbank", Int64(10_000)), ("bob@upibank", 0), ("carol@okbank", 500)] {
                    _ = try AccountStore.open(vpa: vpa, holder: vpa, currency: "INR", perTransactionLimitMinor: 5_000,
                        dailyLimitMinor: 8_000, in: db)
                    if balance > 0 { try AccountStore.deposit(vpa: vpa, amountMinor: balance, in: db) }
                }
                _ = try AccountStore.open(vpa: "usd@bank", holder: "usd", currency: "USD", perTransactionLimitMinor: 5_000,
                    dailyLimitMinor: 8_000, in: db)
            }
        }

        func write<T: Sendable>(_ body: @escaping @Sendable (ServiceTransaction) throws -> T) async throws -> T { try await store.write("test", body) }
        func balance(_ vpa: String) async throws -> Int64? { try await store.read("test") { db in try AccountStore.account(vpa, in: db)?.balanceMinor } }
        func conserved() async throws -> Bool {
            try await store.read("test") { db in
                try AccountStore.customerBalances(in: db) + AccountStore.inClearing(in: db) == AccountStore.netDeposits(in: db)
            }
        }

        /// A fresh fixture on `kind`'s database; ``close()`` it at the end.
        static func open(_ kind: ServiceDatabaseKind) async throws -> Fixture {
            try await Fixture(scratch: try await kind.open(sqlite: AccountStore.migrate, postgres: AccountStore.postgresMigrations))
        }

        /// Stops the store's connection pool (PostgreSQL) and removes its files (SQLite).
        func close() { scratch.close() }
    }

    @Test(arguments: ["alice@okbank", "a.b-c_d@hdfc", "99@ybl", "Alice@OKBank"])
    func validVPAs(_ text: String) {
        #expect(VPA(text)?.value == text.lowercased())
    }

    @Test(arguments: ["", "alice", "@bank", "alice@", "a@bank", "alice@@bank", "al ice@bank", "alice@b", ".alice@bank",
                      "alice@1bank", "alice@ok-bank", "ålice@bank", "alice@bank@x"])
    func invalidVPAs(_ text: String) {
        #expect(VPA(text) == nil)
    }

    @Test(arguments: ServiceDatabaseKind.available) func openingRefusesInvalidAndDuplicateVPAs(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        await #expect(throws: DomainError("VPA_INVALID", "'not-a-vpa' is not a VPA (name@bank)")) {
            try await t.write { db in try AccountStore.open(vpa: "not-a-vpa", holder: "x", currency: "INR",
                perTransactionLimitMinor: 1, dailyLimitMinor: 1, in: db) }
        }
        await #expect(throws: DomainError("ACCOUNT_EXISTS", "alice@okbank already has an account")) {
            try await t.write { db in try AccountStore.open(vpa: "ALICE@okbank", holder: "x", currency: "INR",
                perTransactionLimitMinor: 1, dailyLimitMinor: 1, in: db) }
        }
    }

    @Test(arguments: ServiceDatabaseKind.available) func validationChecksAccountsStatesLimitsAndCurrency(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        try await t.write { db in
            try AccountStore.setStatus(vpa: "carol@okbank", .frozen, in: db)
            _ = try AccountStore.open(vpa: "gone@bank", holder: "g", currency: "INR", perTransactionLimitMinor: 1, dailyLimitMinor: 1, in: db)
            try AccountStore.setStatus(vpa: "gone@bank", .closed, in: db)
        }
        let cases: [(String, String, Int64, String, String?)] = [
            ("alice@okbank", "bob@upibank", 100, "INR", nil),
            ("alice@okbank", "nobody@upibank", 100, "INR", "VPA_NOT_FOUND"),
            ("not a vpa", "bob@upibank", 100, "INR", "VPA_NOT_FOUND"),
            ("carol@okbank", "bob@upibank", 100, "INR", "ACCOUNT_FROZEN"),
            ("alice@okbank", "carol@okbank", 100, "INR", "ACCOUNT_FROZEN"),
            ("alice@okbank", "gone@bank", 100, "INR", "ACCOUNT_CLOSED"),
            ("alice@okbank", "bob@upibank", 5_001, "INR", "LIMIT_EXCEEDED"),
            ("alice@okbank", "bob@upibank", 0, "INR", "INVALID_AMOUNT"),
            ("alice@okbank", "alice@okbank", 100, "INR", "INVALID_TRANSFER"),
            ("alice@okbank", "usd@bank", 100, "INR", "CURRENCY_MISMATCH"),
        ]
        for (payer, payee, amount, currency, code) in cases {
            let result = try await t.write { db in
                try AccountStore.validate(transferID: "v", payer: payer, payee: payee, amountMinor: amount, currency: currency, in: db)
            }
            #expect(result.failure?.code == code, "\(payer) → \(payee) \(amount)")
        }
        #expect(try await t.balance("alice@okbank") == 10_000)
    }

    @Test(arguments: ServiceDatabaseKind.available) func debitIsOncePerTransferAndNeverOverdraws(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let first = try await t.write { db in try AccountStore.debit(transferID: "t1", payer: "alice@okbank", amountMinor: 3_000, currency: "INR", in: db) }
        let again = try await t.write { db in try AccountStore.debit(transferID: "t1", payer: "alice@okbank", amountMinor: 3_000, currency: "INR", in: db) }
        #expect(first.resultID != nil && again == first)
        #expect(try await t.balance("alice@okbank") == 7_000)
        let poor = try await t.write { db in try AccountStore.debit(transferID: "t2", payer: "carol@okbank", amountMinor: 501, currency: "INR", in: db) }
        #expect(poor.failure?.code == "INSUFFICIENT_FUNDS")
        #expect(try await t.balance("carol@okbank") == 500)
        #expect(try await t.conserved())
    }

    @Test(arguments: ServiceDatabaseKind.available) func dailyLimitCountsTodaysDebitsThatWereNotRefunded(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let now = Date()
        let results = try await t.write { db in
            [try AccountStore.debit(transferID: "d1", payer: "alice@okbank", amountMinor: 5_000, currency: "INR", now: now, in: db),
             try AccountStore.debit(transferID: "d2", payer: "alice@okbank", amountMinor: 3_001, currency: "INR", now: now, in: db)]
        }
        #expect(results[0].resultID != nil)
        #expect(results[1].failure?.code == "LIMIT_EXCEEDED")
        _ = try await t.write { db in try AccountStore.refund(transferID: "d1", now: now, in: db) }
        let afterRefund = try await t.write { db in
            try AccountStore.debit(transferID: "d3", payer: "alice@okbank", amountMinor: 3_001, currency: "INR", now: now, in: db)
        }
        #expect(afterRefund.resultID != nil)
        let tomorrow = try await t.write { db in
            try AccountStore.validate(transferID: "d4", payer: "alice@okbank", payee: "bob@upibank", amountMinor: 5_000,
                currency: "INR", now: now.addingTimeInterval(86_400), in: db)
        }
        #expect(tomorrow == .done(nil))
    }

    @Test(arguments: ServiceDatabaseKind.available) func creditNeedsADebitHappensOnceAndCanBeRejected(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let noDebit = try await t.write { db in try AccountStore.credit(transferID: "c0", payee: "bob@upibank", in: db) }
        #expect(noDebit.failure?.code == "CREDIT_REJECTED")
        _ = try await t.write { db in try AccountStore.debit(transferID: "c1", payer: "alice@okbank", amountMinor: 1_000, currency: "INR", in: db) }
        let credit = try await t.write { db in try AccountStore.credit(transferID: "c1", payee: "bob@upibank", in: db) }
        #expect(try await t.write { db in try AccountStore.credit(transferID: "c1", payee: "bob@upibank", in: db) } == credit)
        #expect(try await t.balance("bob@upibank") == 1_000)
        // A payee that rejects credits, or was frozen after validation, is refused.
        try await t.write { db in
            try AccountStore.setRejectsCredits(vpa: "bob@upibank", true, in: db)
            try AccountStore.setStatus(vpa: "carol@okbank", .frozen, in: db)
        }
        _ = try await t.write { db in try AccountStore.debit(transferID: "c2", payer: "alice@okbank", amountMinor: 100, currency: "INR", in: db) }
        _ = try await t.write { db in try AccountStore.debit(transferID: "c3", payer: "alice@okbank", amountMinor: 100, currency: "INR", in: db) }
        #expect(try await t.write { db in try AccountStore.credit(transferID: "c2", payee: "bob@upibank", in: db) }.failure?.code
            == "CREDIT_REJECTED")
        #expect(try await t.write { db in try AccountStore.credit(transferID: "c3", payee: "carol@okbank", in: db) }.failure?.code
            == "CREDIT_REJECTED")
        #expect(try await t.balance("bob@upibank") == 1_000)
        #expect(try await t.conserved())
    }

    @Test(arguments: ServiceDatabaseKind.available) func refundReturnsTheDebitOnceAndNeverAfterACredit(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        #expect(try await t.write { db in try AccountStore.refund(transferID: "r0", in: db) } == .done(nil))
        _ = try await t.write { db in try AccountStore.debit(transferID: "r1", payer: "alice@okbank", amountMinor: 2_000, currency: "INR", in: db) }
        let refund = try await t.write { db in try AccountStore.refund(transferID: "r1", in: db) }
        #expect(refund.resultID != nil)
        #expect(try await t.write { db in try AccountStore.refund(transferID: "r1", in: db) } == refund)
        #expect(try await t.balance("alice@okbank") == 10_000)
        // After a refund the transfer cannot be credited; after a credit it cannot be refunded.
        #expect(try await t.write { db in try AccountStore.credit(transferID: "r1", payee: "bob@upibank", in: db) }.failure?.code
            == "CREDIT_REJECTED")
        _ = try await t.write { db in try AccountStore.debit(transferID: "r2", payer: "alice@okbank", amountMinor: 1_000, currency: "INR", in: db) }
        _ = try await t.write { db in try AccountStore.credit(transferID: "r2", payee: "bob@upibank", in: db) }
        #expect(try await t.write { db in try AccountStore.refund(transferID: "r2", in: db) }.failure?.code == "ALREADY_CREDITED")
        #expect(try await t.balance("alice@okbank") == 9_000)
        #expect(try await t.balance("bob@upibank") == 1_000)
        let postings = try await t.store.read("test") { db in try AccountStore.postings(transferID: "r1", in: db) }
        #expect(postings.map(\.kind).sorted() == ["DEBIT", "REFUND"])
    }

    /// The saga refunds a debit whose outcome it does not know: with no debit the refund moves
    /// nothing and succeeds, and the debit command arriving late is refused.
    @Test(arguments: ServiceDatabaseKind.available) func aRefundBeforeItsDebitMovesNothingAndRefusesTheLateDebit(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        #expect(try await t.write { db in try AccountStore.refund(transferID: "u1", in: db) } == .done(nil))
        #expect(try await t.write { db in try AccountStore.refund(transferID: "u1", in: db) } == .done(nil))
        let late = try await t.write { db in
            try AccountStore.debit(transferID: "u1", payer: "alice@okbank", amountMinor: 2_000, currency: "INR", in: db)
        }
        #expect(late.failure?.code == "ALREADY_REFUNDED")
        #expect(late.resultID == nil)
        #expect(try await t.write { db in try AccountStore.credit(transferID: "u1", payee: "bob@upibank", in: db) }.failure?.code
            == "CREDIT_REJECTED")
        #expect(try await t.balance("alice@okbank") == 10_000)
        #expect(try await t.balance("bob@upibank") == 0)
        #expect(try await t.store.read("test") { db in try AccountStore.postings(transferID: "u1", in: db) }.isEmpty)
        #expect(try await t.store.read("test") { db in try AccountStore.inClearing(in: db) } == 0)
        // Another transfer of the same payer is not affected.
        let other = try await t.write { db in
            try AccountStore.debit(transferID: "u2", payer: "alice@okbank", amountMinor: 2_000, currency: "INR", in: db)
        }
        #expect(other.resultID != nil)
        #expect(try await t.conserved())
    }

    /// The debit happened but the saga never heard: the refund gives it back, and a redelivered
    /// debit command moves nothing more.
    @Test(arguments: ServiceDatabaseKind.available) func aRefundOfADebitTheSagaNeverHeardOfRestoresThePayer(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let debit = try await t.write { db in
            try AccountStore.debit(transferID: "u3", payer: "alice@okbank", amountMinor: 3_000, currency: "INR", in: db)
        }
        #expect(debit.resultID != nil)
        #expect(try await t.write { db in try AccountStore.refund(transferID: "u3", in: db) }.resultID != nil)
        #expect(try await t.write { db in
            try AccountStore.debit(transferID: "u3", payer: "alice@okbank", amountMinor: 3_000, currency: "INR", in: db)
        } == debit)
        #expect(try await t.balance("alice@okbank") == 10_000)
        #expect(try await t.store.read("test") { db in try AccountStore.inClearing(in: db) } == 0)
        #expect(try await t.conserved())
    }

    @Test(arguments: ServiceDatabaseKind.available) func withdrawalsNeverOverdrawAndOnlyAdminMovementsChangeTheTotal(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        await #expect(throws: DomainError.self) {
            try await t.write { db in try AccountStore.withdraw(vpa: "carol@okbank", amountMinor: 501, in: db) }
        }
        try await t.write { db in try AccountStore.withdraw(vpa: "carol@okbank", amountMinor: 500, in: db) }
        #expect(try await t.balance("carol@okbank") == 0)
        #expect(try await t.conserved())
    }

    /// Random debits, credits, refunds and repeats: after every one, balances plus clearing
    /// equal the net deposits, no balance is negative, and once every transfer has ended the
    /// clearing balance is zero.
    @Test(arguments: ServiceDatabaseKind.available) func moneyIsConservedUnderAnySequenceOfSteps(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        var generator = SplitMix64(seed: 42)
        let vpas = ["alice@okbank", "bob@upibank", "carol@okbank"]
        for step in 0..<300 {
            let transfer = "x\(generator.next() % 40)"
            let payer = vpas[Int(generator.next() % 3)], payee = vpas[Int(generator.next() % 3)]
            let amount = Int64(generator.next() % 3_000) + 1
            let action = generator.next() % 3
            _ = try await t.write { db in
                switch action {
                case 0: try AccountStore.debit(transferID: transfer, payer: payer, amountMinor: amount, currency: "INR", now: Date(), in: db)
                case 1: try AccountStore.credit(transferID: transfer, payee: payee, in: db)
                default: try AccountStore.refund(transferID: transfer, in: db)
                }
            }
            #expect(try await t.conserved(), "after step \(step)")
        }
        for index in 0..<40 { _ = try await t.write { db in try AccountStore.refund(transferID: "x\(index)", in: db) } }
        let (clearing, negative) = try await t.store.read("test") { db in
            (try AccountStore.inClearing(in: db), Int(try db.row("SELECT COUNT(*) AS n FROM accounts WHERE balance_minor < 0")?.integer("n") ?? -1))
        }
        #expect(clearing == 0 && negative == 0)
        #expect(try await t.conserved())
    }
}
