import SagaAPI

/// The bearer tokens of one `sagactl dev` run, new each run and printed in its banner: a
/// `producer` token (what the demo workload and `curl … /transfers` use) and an `operator`
/// token (for `sagactl` and everything it reads or changes). Only their hashes reach the roles.
struct DevTokens: Sendable {
    /// The `dev-producer` token.
    let producer: (token: String, entry: AccessToken)
    /// The `dev-operator` token.
    let `operator`: (token: String, entry: AccessToken)

    init() {
        producer = AccessToken.generate(name: "dev-producer", role: .producer)
        `operator` = AccessToken.generate(name: "dev-operator", role: .operator)
    }

    /// `SAGA_AUTH_TOKENS` of every role.
    var entries: String { [producer.entry.entry, `operator`.entry.entry].joined(separator: ",") }
}
