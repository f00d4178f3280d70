import ServiceKit

/// An account as stored.
public struct Account: Sendable, Hashable {
    /// The account's VPA.
    public var vpa: String
    /// The holder's name.
    public var holder: String
    /// The balance in minor units (never negative).
    public var balanceMinor: Int64
    /// ISO 4217.
    public var currency: String
    /// The largest single transfer, in minor units.
    public var perTransactionLimitMinor: Int64
    /// The most the account may send per UTC day, in minor units.
    public var dailyLimitMinor: Int64
    /// `ACTIVE`, `FROZEN` or `CLOSED`.
    public var status: Status
    /// Test switch: credits to this account are refused (`CREDIT_REJECTED`), so a transfer's refund path runs.
    public var rejectsCredits: Bool

    /// An account's state.
    public enum Status: String, Sendable, Hashable {
        /// Can send and receive.
        case active = "ACTIVE"
        /// Can do neither until unfrozen.
        case frozen = "FROZEN"
        /// Can do neither, for good.
        case closed = "CLOSED"
    }

    init(row: SQLRow) throws {
        vpa = try row.text("vpa")
        holder = try row.text("holder")
        balanceMinor = try row.integer("balance_minor")
        currency = try row.text("currency")
        perTransactionLimitMinor = try row.integer("per_txn_limit_minor")
        dailyLimitMinor = try row.integer("daily_limit_minor")
        let statusText = try row.text("status")
        guard let status = Status(rawValue: statusText) else {
            throw ServiceSQLError.column("status", table: row.source, expected: "ACTIVE, FROZEN or CLOSED", found: statusText)
        }
        self.status = status
        rejectsCredits = try row.boolean("rejects_credits")
    }
}

/// A ledger posting: one per transfer and kind.
public struct Posting: Sendable, Hashable {
    /// The transfer.
    public var transferID: String
    /// `DEBIT`, `CREDIT` or `REFUND`.
    public var kind: String
    /// The posting's id (the debit, credit or refund id of the replies).
    public var postingID: String
    /// The customer account it moved money from (debit) or to (credit, refund).
    public var vpa: String
    /// The amount in minor units.
    public var amountMinor: Int64
    /// ISO 4217.
    public var currency: String
}
