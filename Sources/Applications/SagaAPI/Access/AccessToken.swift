import Crypto
import Foundation

/// One configured bearer token: who holds it, its role, and the SHA-256 of the token — the only
/// form in which a token is configured (`name:role:sha256-hex`, an entry of `SAGA_AUTH_TOKENS`).
public struct AccessToken: Sendable, Hashable, CustomStringConvertible {
    /// The holder's name, as the audit trail records it (`alice`, `ci-deployer`).
    public var name: String
    /// What the token may do.
    public var role: APIRole
    /// SHA-256 of the token's UTF-8 bytes.
    public var digest: [UInt8]

    /// The prefix of every token ``generate(name:role:)`` makes (it tells a leaked one apart in a scan).
    public static let tokenPrefix = "sst_"

    /// Creates an entry from its parts.
    public init(name: String, role: APIRole, digest: [UInt8]) {
        self.name = name
        self.role = role
        self.digest = digest
    }

    /// Parses `name:role:sha256-hex`.
    ///
    /// - Throws: ``AccessTokenError`` saying which part is wrong (the entry's text is not repeated: it may be a token pasted by mistake).
    public init(entry: String, position: Int = 1) throws(AccessTokenError) {
        let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed(position: position, reason: "expected name:role:sha256-hex, found \(parts.count) part(s)") }
        let name = String(parts[0])
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw .malformed(position: position, reason: "the name must be letters, digits, '-', '_', '.' or '@'")
        }
        guard let role = APIRole(rawValue: String(parts[1]).lowercased()) else {
            throw .malformed(position: position, reason: "unknown role '\(parts[1])' (expected producer, viewer or operator)")
        }
        guard let digest = Self.bytes(hex: parts[2]), digest.count == SHA256.byteCount else {
            throw .malformed(position: position, reason: "the third part must be the 64 hex digits of the token's SHA-256 (sagactl auth token makes one)")
        }
        self.init(name: name, role: role, digest: digest)
    }

    /// `name:role:sha256-hex`, the form `SAGA_AUTH_TOKENS` takes.
    public var entry: String { "\(name):\(role):\(Self.hex(digest))" }

    /// `name (role)`: never the digest.
    public var description: String { "\(name) (\(role))" }

    /// A new random token (256 bits from the system's secure generator, base64url) and its entry.
    public static func generate(name: String, role: APIRole) -> (token: String, entry: AccessToken) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = tokenPrefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (token, AccessToken(name: name, role: role, digest: digest(of: token)))
    }

    /// SHA-256 of `token`'s UTF-8 bytes.
    public static func digest(of token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// A `SAGA_AUTH_TOKENS` entry that cannot be used.
public enum AccessTokenError: Error, Hashable, CustomStringConvertible {
    /// Entry `position` (1-based) is malformed.
    case malformed(position: Int, reason: String)
    /// Two entries have the same name.
    case duplicateName(String)
    /// The list has no entry.
    case empty

    /// The message (it never repeats an entry's text).
    public var description: String {
        switch self {
        case .malformed(let position, let reason): "entry \(position): \(reason)"
        case .duplicateName(let name): "two entries are named '\(name)'"
        case .empty: "no token entries"
        }
    }
}
