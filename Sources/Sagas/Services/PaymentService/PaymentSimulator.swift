/// A deterministic card processor: the same request always gets the same answer.
///
/// Declines, in order: a non-positive amount (`INVALID_AMOUNT`), the test token
/// ``declineToken`` (`PAYMENT_DECLINED`), and an amount over the customer's limit
/// (`PAYMENT_DECLINED`; the customer's own limit if set, else ``defaultLimitMinor``).
public struct PaymentSimulator: Sendable, Hashable {
    /// The card token that is always declined.
    public static let declineToken = "tok_decline"
    /// The limit of a customer without one of their own, in minor units.
    public var defaultLimitMinor: Int64

    /// Creates a simulator.
    public init(defaultLimitMinor: Int64 = 1_000_000) { self.defaultLimitMinor = defaultLimitMinor }

    /// The decision for `amountMinor` on `token` for a customer whose limit is `limitMinor` (nil: the default).
    public func decide(amountMinor: Int64, token: String, limitMinor: Int64?) -> Decision {
        if amountMinor <= 0 { return .declined(code: "INVALID_AMOUNT", message: "amount \(amountMinor) is not positive") }
        if token == Self.declineToken { return .declined(code: "PAYMENT_DECLINED", message: "card \(token) was declined") }
        let limit = limitMinor ?? defaultLimitMinor
        if amountMinor > limit {
            return .declined(code: "PAYMENT_DECLINED", message: "amount \(amountMinor) is over the customer's limit \(limit)")
        }
        return .approved
    }

    /// A decision.
    public enum Decision: Sendable, Hashable {
        /// Authorized.
        case approved
        /// Declined with a reason code.
        case declined(code: String, message: String)
    }
}
