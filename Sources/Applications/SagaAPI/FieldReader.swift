import Avro
import Foundation

/// Reads the fields of a JSON request body, collecting every missing or wrong field (named by
/// its path, `items[0].quantity`) instead of stopping at the first.
public struct FieldReader: Sendable {
    /// The errors found so far.
    public private(set) var errors: [FieldError] = []

    /// Creates a reader with no errors.
    public init() {}

    /// Records that `path` is wrong.
    public mutating func fail(_ path: String, _ message: String) {
        errors.append(FieldError(field: path, message: message))
    }

    /// Throws a 400 ``Problem`` listing every recorded error, if any.
    public func check() throws(Problem) {
        if !errors.isEmpty { throw Problem.invalid(errors) }
    }

    /// The members of `value` when it is an object (else records an error at `path`, or `body`
    /// for the top level), rejecting members not in `allowed`.
    public mutating func object(_ value: JSONValue, at path: String, allowed: Set<String>) -> JSONValue? {
        guard case .object(let members) = value else {
            fail(path.isEmpty ? "body" : path, "must be an object, not \(value.typeName)")
            return nil
        }
        for member in members where !allowed.contains(member.key) {
            fail(Self.path(path, member.key), "is not a known field (expected: \(allowed.sorted().joined(separator: ", ")))")
        }
        return value
    }

    /// The member `key` of `object`; records "is required" when it is absent or null and `required`.
    public mutating func member(_ object: JSONValue, _ key: String, at path: String, required: Bool = true) -> JSONValue? {
        guard let value = object[key], value != .null else {
            if required { fail(Self.path(path, key), "is required") }
            return nil
        }
        return value
    }

    /// A string member.
    public mutating func string(_ object: JSONValue, _ key: String, at path: String, required: Bool = true) -> String? {
        guard let value = member(object, key, at: path, required: required) else { return nil }
        guard case .string(let text) = value else {
            fail(Self.path(path, key), "must be a string, not \(value.typeName)")
            return nil
        }
        return text
    }

    /// An integer member (a JSON number without fraction, within 64 bits).
    public mutating func integer(_ object: JSONValue, _ key: String, at path: String, required: Bool = true) -> Int64? {
        guard let value = member(object, key, at: path, required: required) else { return nil }
        switch value {
        case .integer(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 9.0e18: return Int64(number)
        case .double: fail(Self.path(path, key), "must be an integer within 64 bits")
        default: fail(Self.path(path, key), "must be an integer, not \(value.typeName)")
        }
        return nil
    }

    /// A UUID member (canonical text).
    public mutating func uuid(_ object: JSONValue, _ key: String, at path: String, required: Bool = true) -> UUID? {
        guard let text = string(object, key, at: path, required: required) else { return nil }
        guard let id = UUID(uuidString: text) else {
            fail(Self.path(path, key), "must be a UUID like 3f0c2d5e-8a51-4a7e-9a4b-1d2c3e4f5a6b, not \"\(text)\"")
            return nil
        }
        return id
    }

    /// An array member.
    public mutating func array(_ object: JSONValue, _ key: String, at path: String, required: Bool = true) -> [JSONValue]? {
        guard let value = member(object, key, at: path, required: required) else { return nil }
        guard case .array(let items) = value else {
            fail(Self.path(path, key), "must be an array, not \(value.typeName)")
            return nil
        }
        return items
    }

    /// An ISO 4217-style currency: three upper-case ASCII letters.
    public mutating func currency(_ object: JSONValue, _ key: String, at path: String) -> String? {
        guard let text = string(object, key, at: path) else { return nil }
        guard text.count == 3, text.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            fail(Self.path(path, key), "must be a 3-letter ISO 4217 code like INR, not \"\(text)\"")
            return nil
        }
        return text
    }

    /// `path.key`, or `key` at the top level.
    public static func path(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
}
