import SagaAPI

/// Real bearer tokens of the system tests, made once per run; only their entries (hashes) are configured.
enum SystemTokens {
    static let producer = AccessToken.generate(name: "system-producer", role: .producer)
    static let viewer = AccessToken.generate(name: "system-viewer", role: .viewer)
    static let `operator` = AccessToken.generate(name: "system-operator", role: .operator)

    /// `SAGA_AUTH_TOKENS` of every server the tests start.
    static var entries: String { [producer, viewer, `operator`].map(\.entry.entry).joined(separator: ",") }
}
