import SagaAPI

/// Real bearer tokens of the API tests, one per role, made once per test run.
enum TestTokens {
    static let producerToken = AccessToken.generate(name: "test-producer", role: .producer)
    static let viewerToken = AccessToken.generate(name: "test-viewer", role: .viewer)
    static let operatorToken = AccessToken.generate(name: "test-operator", role: .operator)

    /// The producer token (starts sagas, reads their status).
    static var producer: String { producerToken.token }
    /// The viewer token (reads everything).
    static var viewer: String { viewerToken.token }
    /// The operator token.
    static var `operator`: String { operatorToken.token }

    /// What every router of the tests checks: these three tokens.
    static var authentication: APIAuthentication {
        // Three entries with distinct names: the list is valid by construction.
        (try? AccessTokens([producerToken.entry, viewerToken.entry, operatorToken.entry])).map { .required($0) } ?? .disabled
    }
}
