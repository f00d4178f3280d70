import AccountService
import Foundation
import Logging
import OrderService
import PaymentService
import SagaSystem

/// The demo workload of `sagactl dev --demo`: a steady mix of orders, UPI transfers and bill
/// settlements at a given rate, with every failure path in it — out of stock, a declined card
/// (`tok_decline`), an order over the payment limit, a transfer over the per-transaction limit
/// (fails validation), a credit the payee's bank rejects (the payer is refunded), and a bill
/// whose owner cannot be paid (every share is collected, then refunded).
///
/// ```swift
/// try await DemoWorkload.prepare(accounts)                  // the refusing payee's account
/// let workload = DemoWorkload(starter: starter, rate: 2)
/// try await workload.run()                                  // until cancelled
/// ```
public struct DemoWorkload: Sendable {
    /// The VPA of the payee whose credits are always rejected (opened by ``prepare(_:)``).
    public static let refusingPayee = "refuse@paybank"
    /// What ``prepare(_:)`` deposits into the refusing payee's account.
    public static let refusingPayeeOpeningBalanceMinor: Int64 = 100_000

    /// One request of the mix.
    public enum Request: Sendable, Hashable {
        /// An order.
        case order(WorkloadOrder)
        /// A transfer.
        case transfer(WorkloadTransfer)
        /// A bill settlement.
        case bill(WorkloadBill)
    }

    /// Where the requests go.
    public let starter: any SagaStarting
    /// Requests per second.
    public let rate: Double
    private let logger: Logger

    /// A workload of `rate` requests per second through `starter`.
    public init(starter: any SagaStarting, rate: Double, logger: Logger = Logger(label: "saga.dev.demo")) {
        self.starter = starter
        self.rate = rate
        self.logger = logger
    }

    /// Opens ``refusingPayee`` (credits rejected) if `accounts` does not have it; idempotent.
    public static func prepare(_ accounts: AccountService) async throws {
        guard try await accounts.account(refusingPayee) == nil else { return }
        try await accounts.open(vpa: refusingPayee, holder: "Refusing Payee", currency: DemoData.currency)
        try await accounts.deposit(vpa: refusingPayee, amountMinor: refusingPayeeOpeningBalanceMinor)
        try await accounts.setRejectsCredits(vpa: refusingPayee, true)
    }

    /// The `index`-th request of the mix (a cycle of twelve: four orders, six transfers, two bills).
    public func request(_ index: Int) -> Request {
        Self.mixed[index % Self.mixed.count](index)
    }

    /// Sends requests at ``rate`` until the task is cancelled; returns how many were sent. A
    /// request that fails is logged and counted, never retried (the saga id is fresh each time).
    @discardableResult
    public func run() async -> (sent: Int, failed: Int) {
        let interval = Duration.seconds(1 / max(rate, 0.001))
        let clock = ContinuousClock()
        var next = clock.now
        var sent = 0
        var failed = 0
        while !Task.isCancelled {
            do {
                switch request(sent) {
                case .order(let order): _ = try await starter.placeOrder(order)
                case .transfer(let transfer): _ = try await starter.requestTransfer(transfer)
                case .bill(let bill): _ = try await starter.settleBill(bill)
                }
            } catch {
                failed += 1
                logger.warning("demo request failed", metadata: ["error": "\(error)"])
            }
            sent += 1
            next = next.advanced(by: interval)
            do { try await Task.sleep(until: next, clock: clock) } catch { break }
        }
        return (sent, failed)
    }

    // MARK: The mix

    private static let mixed: [@Sendable (Int) -> Request] = [
        { i in order(i, [("KBD-001", 1), ("CABLE-004", 2)]) },  // completes
        { _ in transfer("alice@okbank", "bob@okbank", 1_500_00) },  // completes
        { i in order(i, [("RARE-005", 10)]) },  // out of stock: cancelled
        { _ in transfer("bob@okbank", "carol@paybank", 250_00) },  // completes
        { i in order(i, [("MOUSE-002", 1)], token: PaymentSimulator.declineToken) },  // declined card: released, cancelled
        { _ in transfer("carol@paybank", refusingPayee, 99_00) },  // credit rejected: payer refunded
        { i in order(i, [("MONITOR-003", 1)]) },  // over the payment limit: declined
        { _ in transfer("dave@paybank", "alice@okbank", 200_000_00) },  // over the per-transaction limit
        { i in order(i, [("MOUSE-002", 2)]) },  // completes
        { _ in transfer("carol@paybank", "dave@paybank", 75_00) },  // completes
        { _ in bill("alice@okbank", [("bob@okbank", 400_00), ("carol@paybank", 350_00), ("dave@paybank", 250_00)]) },  // settles
        { _ in bill(refusingPayee, [("alice@okbank", 120_00), ("bob@okbank", 80_00)]) },  // owner cannot be paid: refunded
    ]


    private static func order(_ index: Int, _ items: [(sku: String, quantity: Int32)], token: String = "tok_visa") -> Request {
        let lines = items.compactMap { item -> OrderLine? in
            guard let product = DemoData.products.first(where: { $0.sku == item.sku }) else { return nil }
            return OrderLine(productID: product.productID, sku: product.sku, quantity: item.quantity, unitPriceMinor: product.unitPriceMinor)
        }
        let customer = DemoData.customers[index % DemoData.customers.count]
        return .order(WorkloadOrder(customerID: customer, lines: lines, currency: DemoData.currency, paymentToken: token))
    }

    private static func bill(_ owner: String, _ shares: [(payer: String, amountMinor: Int64)]) -> Request {
        .bill(WorkloadBill(owner: owner, shares: shares.map { WorkloadShare(payer: $0.payer, amountMinor: $0.amountMinor) },
            currency: DemoData.currency))
    }

    private static func transfer(_ payer: String, _ payee: String, _ amountMinor: Int64) -> Request {
        .transfer(WorkloadTransfer(payer: payer, payee: payee, amountMinor: amountMinor, currency: DemoData.currency))
    }
}
