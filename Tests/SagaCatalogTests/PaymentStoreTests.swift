import SagaTestSupport
import Foundation
import GRDB
import PaymentService
import SagaCore
import SagaSQLite
import SagaServicesTestSupport
import ServiceKit
import Testing

/// The payment simulator and the payment store on SQLite and PostgreSQL (one body, both stores).
@Suite struct PaymentStoreTests {
    let simulator = PaymentSimulator(defaultLimitMinor: 10_000)

    /// A fresh store of one kind with the suite's data.
    struct Fixture: Sendable {
        let scratch: ScratchServiceStore
        var store: ServiceStore { scratch.store }
        let simulator = PaymentSimulator(defaultLimitMinor: 10_000)

        init(scratch: ScratchServiceStore) async throws {
            self.scratch = scratch
            let store = scratch.store
        }

        func authorize(_ order: String, customer: String = "c1", amount: Int64, token: String = "tok_visa") async throws -> StepResult {
            let simulator = self.simulator
            return try await store.write("test") { db in
                try PaymentStore.authorize(orderID: order, customerID: customer, amountMinor: amount, currency: "INR", token: token,
                    simulator: simulator, in: db)
            }
        }

        /// A fresh fixture on `kind`'s database; ``close()`` it at the end.
        static func open(_ kind: ServiceDatabaseKind) async throws -> Fixture {
            try await Fixture(scratch: try await kind.open(sqlite: PaymentStore.migrate, postgres: PaymentStore.postgresMigrations))
        }

        /// Stops the store's connection pool (PostgreSQL) and removes its files (SQLite).
        func close() { scratch.close() }
    }

    @Test func simulatorRules() {
        #expect(simulator.decide(amountMinor: 100, token: "tok_visa", limitMinor: nil) == .approved)
        #expect(simulator.decide(amountMinor: 10_000, token: "tok_visa", limitMinor: nil) == .approved)
        #expect(simulator.decide(amountMinor: 10_001, token: "tok_visa", limitMinor: nil)
            == .declined(code: "PAYMENT_DECLINED", message: "amount 10001 is over the customer's limit 10000"))
        #expect(simulator.decide(amountMinor: 50_000, token: "tok_visa", limitMinor: 60_000) == .approved)
        guard case .declined(let code, _) = simulator.decide(amountMinor: 1, token: PaymentSimulator.declineToken, limitMinor: nil) else {
            Issue.record("the decline token was approved")
            return
        }
        #expect(code == "PAYMENT_DECLINED")
        guard case .declined(let invalid, _) = simulator.decide(amountMinor: 0, token: "tok_visa", limitMinor: nil) else {
            Issue.record("a zero amount was approved")
            return
        }
        #expect(invalid == "INVALID_AMOUNT")
    }

    @Test(arguments: ServiceDatabaseKind.available) func everyDecisionIsRecordedOncePerOrder(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        let approved = try await t.authorize("o1", amount: 5_000)
        #expect(try await t.authorize("o1", amount: 5_000) == approved)
        let declined = try await t.authorize("o2", amount: 5_000, token: PaymentSimulator.declineToken)
        #expect(declined.failure?.code == "PAYMENT_DECLINED")
        // A repeat gets the first answer, even with another token.
        #expect(try await t.authorize("o2", amount: 5_000, token: "tok_visa") == declined)
        let overLimit = try await t.authorize("o3", amount: 20_000)
        #expect(overLimit.failure?.code == "PAYMENT_DECLINED")
        let payments = try await t.store.read("test") { db in try PaymentStore.all(in: db) }
        #expect(payments.map(\.status).sorted() == ["AUTHORIZED", "DECLINED", "DECLINED"])
        #expect(payments.first { $0.orderID == "o1" }?.authorizationID == approved.resultID)
    }

    @Test(arguments: ServiceDatabaseKind.available) func aCustomerLimitReplacesTheDefault(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        try await t.store.write("test") { db in
            try PaymentStore.setLimit(customerID: "big", limitMinor: 50_000, in: db)
            try PaymentStore.setLimit(customerID: "small", limitMinor: 1_000, in: db)
        }
        #expect(try await t.authorize("o4", customer: "big", amount: 40_000).resultID != nil)
        #expect(try await t.authorize("o5", customer: "small", amount: 2_000).failure?.code == "PAYMENT_DECLINED")
    }

    @Test(arguments: ServiceDatabaseKind.available) func voidAndRefundChangeOnlyAnAuthorizedPaymentOnce(_ kind: ServiceDatabaseKind) async throws {
        let t = try await Fixture.open(kind)
        defer { t.close() }
        _ = try await t.authorize("o6", amount: 100)
        _ = try await t.authorize("o7", amount: 100, token: PaymentSimulator.declineToken)
        _ = try await t.authorize("o8", amount: 100)
        let changes = try await t.store.write("test") { db in
            [try PaymentStore.cancel(orderID: "o6", refund: false, in: db), try PaymentStore.cancel(orderID: "o6", refund: true, in: db),
             try PaymentStore.cancel(orderID: "o7", refund: false, in: db), try PaymentStore.cancel(orderID: "none", refund: false, in: db),
             try PaymentStore.cancel(orderID: "o8", refund: true, in: db)]
        }
        #expect(changes == [true, false, false, false, true])
        let statuses = try await t.store.read("test") { db in try PaymentStore.all(in: db).map { "\($0.orderID) \($0.status)" } }
        #expect(Set(statuses) == ["o6 VOIDED", "o7 DECLINED", "o8 REFUNDED"])
    }
}
