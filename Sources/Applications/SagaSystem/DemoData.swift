import AccountService
import Foundation
import GRDB
import InventoryService
import SagaCore
import ServiceKit

/// The demo data set: a few products with stock and a few UPI accounts with balances, used by
/// `SAGA_SEED_DEMO_DATA=true`, `sagactl dev` and its workload, and tests. Seeding is idempotent:
/// a product or account that exists is left alone (no second deposit, no stock added twice).
public enum DemoData {
    /// A demo product.
    public struct Product: Sendable, Hashable {
        /// The product id (a UUID derived from the SKU, the same on every machine).
        public var productID: UUID
        /// The SKU.
        public var sku: String
        /// Units put in stock when seeded.
        public var stock: Int64
        /// Unit price in minor units (INR paise) for demo orders.
        public var unitPriceMinor: Int64
    }

    /// A demo UPI account.
    public struct Account: Sendable, Hashable {
        /// The VPA (`name@bank`).
        public var vpa: String
        /// The holder's name.
        public var holder: String
        /// Balance deposited when seeded, in minor units.
        public var openingBalanceMinor: Int64
    }

    /// Currency of every demo amount.
    public static let currency = "INR"

    /// The demo products.
    public static let products: [Product] = [
        product("KBD-001", stock: 1_000, unitPriceMinor: 2_499_00),
        product("MOUSE-002", stock: 1_000, unitPriceMinor: 899_00),
        product("MONITOR-003", stock: 200, unitPriceMinor: 12_999_00),
        product("CABLE-004", stock: 5_000, unitPriceMinor: 199_00),
        product("RARE-005", stock: 3, unitPriceMinor: 49_999_00),
    ]

    /// The demo accounts.
    public static let accounts: [Account] = [
        Account(vpa: "alice@okbank", holder: "Alice", openingBalanceMinor: 10_000_000),
        Account(vpa: "bob@okbank", holder: "Bob", openingBalanceMinor: 10_000_000),
        Account(vpa: "carol@paybank", holder: "Carol", openingBalanceMinor: 5_000_000),
        Account(vpa: "dave@paybank", holder: "Dave", openingBalanceMinor: 1_000_000),
    ]

    /// Demo customer ids for orders (stable across runs).
    public static let customers: [UUID] = (1...4).map { uuid("demo-customer/\($0)") }

    /// Sum of the demo accounts' opening balances.
    public static var totalOpeningBalanceMinor: Int64 { accounts.reduce(0) { $0 + $1.openingBalanceMinor } }

    /// Adds the demo products that `inventory` does not have yet; returns how many it added.
    @discardableResult
    public static func seed(_ inventory: InventoryService) async throws -> Int {
        try await inventory.store.write("seed demo products") { db in
            // Replicas seeding at once: the first takes the lock and adds, the others find the products.
            try db.lock("demo-data/products")
            var added = 0
            for product in products where try InventoryStore.available(productID: text(product.productID), in: db) == nil {
                try InventoryStore.addStock(productID: text(product.productID), sku: product.sku, units: product.stock, in: db)
                added += 1
            }
            return added
        }
    }

    /// Opens the demo accounts that `service` does not have yet and deposits their opening
    /// balances (the modelled way money enters: `AccountStore.deposit`, as `AccountService.deposit`
    /// does), each account's opening and deposit in one transaction so a crash between them cannot
    /// leave an empty account that a later seeding skips. Returns how many it opened.
    @discardableResult
    public static func seed(_ service: AccountService) async throws -> Int {
        try await service.store.write("seed demo accounts") { db in
            // Replicas seeding at once: the first takes the lock and opens, the others find the accounts.
            try db.lock("demo-data/accounts")
            var opened = 0
            for account in accounts where try AccountStore.account(account.vpa, in: db) == nil {
                _ = try AccountStore.open(vpa: account.vpa, holder: account.holder, currency: currency,
                    perTransactionLimitMinor: 10_000_000, dailyLimitMinor: 100_000_000, in: db)
                try AccountStore.deposit(vpa: account.vpa, amountMinor: account.openingBalanceMinor, in: db)
                opened += 1
            }
            return opened
        }
    }

    private static func product(_ sku: String, stock: Int64, unitPriceMinor: Int64) -> Product {
        Product(productID: uuid("demo-product/\(sku)"), sku: sku, stock: stock, unitPriceMinor: unitPriceMinor)
    }

    private static func uuid(_ name: String) -> UUID {
        // DeterministicUUID.make always returns a well-formed UUID string (not input-dependent).
        UUID(uuidString: DeterministicUUID.make(name))!
    }
}
