import Foundation
import OrderService

/// An order the workload places (what `POST /orders` takes, with the id chosen here).
public struct WorkloadOrder: Sendable, Hashable {
    /// The order (and saga) id.
    public var orderID: UUID
    /// The customer.
    public var customerID: UUID
    /// The lines.
    public var lines: [OrderLine]
    /// ISO 4217 currency of the prices.
    public var currency: String
    /// The card token (`tok_decline` is always declined).
    public var paymentToken: String

    /// Creates a request.
    public init(orderID: UUID = UUID(), customerID: UUID, lines: [OrderLine], currency: String, paymentToken: String) {
        self.orderID = orderID
        self.customerID = customerID
        self.lines = lines
        self.currency = currency
        self.paymentToken = paymentToken
    }
}

/// A UPI transfer the workload requests (what `POST /transfers` takes, with the id chosen here).
public struct WorkloadTransfer: Sendable, Hashable {
    /// The transfer (and saga) id.
    public var transferID: UUID
    /// Payer VPA.
    public var payer: String
    /// Payee VPA.
    public var payee: String
    /// Amount in minor units.
    public var amountMinor: Int64
    /// ISO 4217 currency.
    public var currency: String

    /// Creates a request.
    public init(transferID: UUID = UUID(), payer: String, payee: String, amountMinor: Int64, currency: String = "INR") {
        self.transferID = transferID
        self.payer = payer
        self.payee = payee
        self.amountMinor = amountMinor
        self.currency = currency
    }
}

/// A bill the workload settles (what `POST /bills/{billId}/settlement` takes, with the id chosen here).
public struct WorkloadBill: Sendable, Hashable {
    /// The bill (and saga) id.
    public var billID: UUID
    /// Who paid the bill and is paid the shares.
    public var owner: String
    /// Each payer's share in minor units, in order.
    public var shares: [WorkloadShare]
    /// ISO 4217 currency.
    public var currency: String

    /// Creates a request.
    public init(billID: UUID = UUID(), owner: String, shares: [WorkloadShare], currency: String = "INR") {
        self.billID = billID
        self.owner = owner
        self.shares = shares
        self.currency = currency
    }
}

/// One payer's share of a ``WorkloadBill``.
public struct WorkloadShare: Sendable, Hashable {
    /// Payer VPA.
    public var payer: String
    /// Amount in minor units.
    public var amountMinor: Int64

    /// Creates a share.
    public init(payer: String, amountMinor: Int64) {
        self.payer = payer
        self.amountMinor = amountMinor
    }
}

/// Starts sagas: the seam between the demo workload (and the tests) and the system.
/// ``HTTPSagaStarter`` goes through the public HTTP API, as a user's client would.
public protocol SagaStarting: Sendable {
    /// Places an order (its saga starts from the `OrderPlaced` event); returns the saga id.
    func placeOrder(_ order: WorkloadOrder) async throws -> UUID
    /// Requests a transfer (its saga starts from the `TransferRequested` event); returns the saga id.
    func requestTransfer(_ transfer: WorkloadTransfer) async throws -> UUID
    /// Settles a bill (its saga starts from the `BillSettlementRequested` event); returns the saga id.
    func settleBill(_ bill: WorkloadBill) async throws -> UUID
}
