import Foundation
import HTTPTypes
import Hummingbird
import SagaCore

/// The `Idempotency-Key` request header: a client's name for one logical request. The saga id
/// (= order id, transfer id) is derived from it, so a repeat names the same saga and starts nothing new.
public struct IdempotencyKey: Sendable, Hashable {
    /// The header name.
    public static let headerName = HTTPField.Name("Idempotency-Key")!
    /// The longest key accepted.
    public static let maximumLength = 255

    /// The key as sent (1–255 visible ASCII characters; surrounding quotes of the structured-field form removed).
    public let value: String

    /// Validates `text` as a key.
    public init(_ text: String) throws(Problem) {
        var text = text
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        guard !text.isEmpty, text.count <= Self.maximumLength,
            text.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7e })
        else {
            throw Problem.invalid([FieldError(field: "Idempotency-Key",
                message: "must be 1 to \(Self.maximumLength) visible ASCII characters (e.g. a UUID)")])
        }
        value = text
    }

    /// The key of `request`, or nil when it sends none.
    public static func of(_ request: Request) throws(Problem) -> IdempotencyKey? {
        let values = request.headers[values: headerName]
        guard let first = values.first else { return nil }
        guard values.count == 1 else {
            throw Problem.invalid([FieldError(field: "Idempotency-Key", message: "must be sent once, not \(values.count) times")])
        }
        return try IdempotencyKey(first)
    }

    /// The saga id of requests of `kind` (`order`, `transfer`) with this key:
    /// `DeterministicUUID` of `kind:key`.
    public func sagaID(kind: String) -> UUID {
        let text = DeterministicUUID.make(kind + ":" + value)
        // DeterministicUUID always produces canonical UUID text; the fallback only guards the parse.
        return UUID(uuidString: text) ?? UUID()
    }
}
