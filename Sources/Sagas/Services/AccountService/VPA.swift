/// A UPI virtual payment address, `name@bank`: the name is 2–64 characters of lower-case
/// letters, digits, `.`, `-` and `_`, starting with a letter or digit; the handle (bank) is
/// 2–32 lower-case letters or digits, starting with a letter. Input is lower-cased first.
public struct VPA: Sendable, Hashable, CustomStringConvertible {
    /// The canonical (lower-case) text.
    public let value: String

    /// Parses `text`; nil when it is not a valid VPA.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        let parts = lowered.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let name = parts[0], handle = parts[1]
        guard (2...64).contains(name.count), (2...32).contains(handle.count) else { return nil }
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber else { return nil }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else { return nil }
        guard let handleFirst = handle.first, handleFirst.isASCII, handleFirst.isLetter else { return nil }
        guard handle.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        value = lowered
    }

    /// The text.
    public var description: String { value }
}
