import AccountService
import Avro
import Foundation

/// The body of `POST /bills/{billId}/settlement`: collect each share from its payer and pay the
/// owner the total.
public struct BillSettlementRequest: Sendable, Hashable {
    /// The most shares one bill may have.
    public static let maximumShares = 50
    /// The longest note accepted.
    public static let maximumNoteLength = 140

    /// One payer's share.
    public struct Share: Sendable, Hashable {
        /// Who pays it.
        public var payer: VPA
        /// How much, in minor units (positive).
        public var amountMinor: Int64

        /// Creates a share.
        public init(payer: VPA, amountMinor: Int64) {
            self.payer = payer
            self.amountMinor = amountMinor
        }
    }

    /// Who paid the bill and is paid the shares.
    public var owner: VPA
    /// ISO 4217 currency of every share (`INR`).
    public var currency: String
    /// The shares: 1 to ``maximumShares``, payers distinct, the owner not among them.
    public var shares: [Share]
    /// What the bill was for.
    public var note: String?

    /// Creates a request.
    public init(owner: VPA, currency: String, shares: [Share], note: String? = nil) {
        self.owner = owner
        self.currency = currency
        self.shares = shares
        self.note = note
    }

    /// Reads and validates a body: every missing, mistyped or invalid field is named in the thrown
    /// 400 ``Problem`` (`shares[2].payerVpa`), and so are a bill without shares or with more than
    /// ``maximumShares``, a payer named twice, the owner among the payers and a non-positive amount.
    public init(json: JSONValue) throws(Problem) {
        var reader = FieldReader()
        guard let body = reader.object(json, at: "", allowed: ["ownerVpa", "currency", "shares", "note"]) else {
            try reader.check()
            throw Problem.invalid([FieldError(field: "body", message: "must be an object")])
        }
        let owner = reader.vpa(body, "ownerVpa", at: "")
        let currency = reader.currency(body, "currency", at: "")
        let note = reader.string(body, "note", at: "", required: false)
        if let note, note.count > Self.maximumNoteLength { reader.fail("note", "must be at most \(Self.maximumNoteLength) characters") }
        let items = reader.array(body, "shares", at: "") ?? []
        if reader.errors.allSatisfy({ $0.field != "shares" }) {
            if items.isEmpty { reader.fail("shares", "must hold at least one share") }
            if items.count > Self.maximumShares { reader.fail("shares", "must hold at most \(Self.maximumShares) shares, not \(items.count)") }
        }
        var shares: [Share] = []
        var firstShareOf: [VPA: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "shares[\(index)]"
            guard let share = reader.object(item, at: path, allowed: ["payerVpa", "amountMinor"]) else { continue }
            let payer = reader.vpa(share, "payerVpa", at: path)
            let amount = reader.integer(share, "amountMinor", at: path)
            if let amount, amount <= 0 { reader.fail(path + ".amountMinor", "must be positive, not \(amount)") }
            if let payer {
                if payer == owner { reader.fail(path + ".payerVpa", "is the owner (\(payer.value)); the owner does not pay a share") }
                if let first = firstShareOf[payer] {
                    reader.fail(path + ".payerVpa", "\(payer.value) already pays shares[\(first)]; give each payer one share")
                } else {
                    firstShareOf[payer] = index
                }
            }
            if let payer, let amount { shares.append(Share(payer: payer, amountMinor: amount)) }
        }
        var total: Int64 = 0
        for share in shares {
            let (sum, overflow) = total.addingReportingOverflow(share.amountMinor)
            if overflow {
                reader.fail("shares", "the shares add up to more than a 64-bit amount")
                break
            }
            total = sum
        }
        try reader.check()
        guard let owner, let currency else { throw Problem.invalid(reader.errors) }
        self.init(owner: owner, currency: currency, shares: shares, note: note)
    }

    /// The body as JSON (what ``init(json:)`` reads), VPAs in canonical lower case.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("ownerVpa", .string(owner.value)), ("currency", .string(currency)),
            ("shares", .array(shares.map { .object([("payerVpa", .string($0.payer.value)), ("amountMinor", .integer($0.amountMinor))]) })),
        ]
        if let note { members.append(("note", .string(note))) }
        return .object(members)
    }
}
