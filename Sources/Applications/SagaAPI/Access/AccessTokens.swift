/// The configured bearer tokens (`SAGA_AUTH_TOKENS`): who may call the API, with which role.
///
/// ```swift
/// let tokens = try AccessTokens(parsing: "alice:operator:9f86d0…,shop:producer:2c26b4…")
/// tokens.holder(of: presentedToken)   // the entry, or nil
/// ```
public struct AccessTokens: Sendable, Hashable {
    /// The entries, in configuration order.
    public let entries: [AccessToken]

    /// Uses `entries` (names must differ).
    public init(_ entries: [AccessToken]) throws(AccessTokenError) {
        guard !entries.isEmpty else { throw .empty }
        var names: Set<String> = []
        for entry in entries where !names.insert(entry.name).inserted { throw .duplicateName(entry.name) }
        self.entries = entries
    }

    /// Parses comma-separated `name:role:sha256-hex` entries (blank entries skipped).
    public init(parsing text: String) throws(AccessTokenError) {
        var entries: [AccessToken] = []
        for (index, entry) in text.split(separator: ",").enumerated()
        where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            entries.append(try AccessToken(entry: String(entry), position: index + 1))
        }
        try self.init(entries)
    }

    /// The entry whose digest is the SHA-256 of `token`, or nil. Every entry is compared in full
    /// (no early exit), so the time taken says nothing about which digest came close.
    public func holder(of token: String) -> AccessToken? {
        let digest = AccessToken.digest(of: token)
        var found: AccessToken?
        for entry in entries {
            var difference: UInt8 = entry.digest.count == digest.count ? 0 : 1
            for (a, b) in zip(entry.digest, digest) { difference |= a ^ b }
            if difference == 0 { found = entry }
        }
        return found
    }
}

/// Whether the API checks bearer tokens: ``required(_:)`` in every deployment, ``disabled`` only
/// when the operator says so explicitly (`SAGA_AUTH_DISABLED=true`).
public enum APIAuthentication: Sendable, Hashable {
    /// Every route but `/healthz`, `/readyz` and `/metrics` needs one of these tokens.
    case required(AccessTokens)
    /// No route needs a token (local experiments; `saga-server` logs a warning).
    case disabled
}
