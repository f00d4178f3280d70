import AccountService
import Avro
import Foundation

/// The body of `POST /transfers`: move `amountMinor` from the payer's VPA to the payee's.
public struct TransferRequest: Sendable, Hashable {
    /// The longest note accepted.
    public static let maximumNoteLength = 140

    /// Who pays.
    public var payer: VPA
    /// Who is paid.
    public var payee: VPA
    /// The amount in minor units (positive).
    public var amountMinor: Int64
    /// ISO 4217 currency (`INR`).
    public var currency: String
    /// A note for both parties.
    public var note: String?

    /// Creates a request.
    public init(payer: VPA, payee: VPA, amountMinor: Int64, currency: String, note: String? = nil) {
        self.payer = payer
        self.payee = payee
        self.amountMinor = amountMinor
        self.currency = currency
        self.note = note
    }

    /// Reads and validates a body: every missing, mistyped or invalid field is named in the
    /// thrown 400 ``Problem``.
    public init(json: JSONValue) throws(Problem) {
        var reader = FieldReader()
        guard let body = reader.object(json, at: "", allowed: ["payerVpa", "payeeVpa", "amountMinor", "currency", "note"]) else {
            try reader.check()
            throw Problem.invalid([FieldError(field: "body", message: "must be an object")])
        }
        let payer = reader.vpa(body, "payerVpa", at: "")
        let payee = reader.vpa(body, "payeeVpa", at: "")
        if let payer, let payee, payer == payee { reader.fail("payeeVpa", "must differ from payerVpa") }
        let amount = reader.integer(body, "amountMinor", at: "")
        if let amount, amount <= 0 { reader.fail("amountMinor", "must be positive, not \(amount)") }
        let currency = reader.currency(body, "currency", at: "")
        let note = reader.string(body, "note", at: "", required: false)
        if let note, note.count > Self.maximumNoteLength { reader.fail("note", "must be at most \(Self.maximumNoteLength) characters") }
        try reader.check()
        guard let payer, let payee, let amount, let currency else { throw Problem.invalid(reader.errors) }
        self.init(payer: payer, payee: payee, amountMinor: amount, currency: currency, note: note)
    }

    /// The body as JSON (what ``init(json:)`` reads), VPAs in canonical lower case.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("payerVpa", .string(payer.value)), ("payeeVpa", .string(payee.value)),
            ("amountMinor", .integer(amountMinor)), ("currency", .string(currency)),
        ]
        if let note { members.append(("note", .string(note))) }
        return .object(members)
    }
}
