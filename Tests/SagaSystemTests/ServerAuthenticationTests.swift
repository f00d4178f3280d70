import Foundation
import SagaSystem
import SagaTestSupport
import Testing

/// `saga-server` is secure by default: no tokens, no start (exit 78); an explicitly open API is
/// a warning at start; tokens are checked on every route but the probes and never logged.
@Suite(.serialized) struct ServerAuthenticationTests {
    @Test func withoutTokensSagaServerRefusesToStart() async throws {
        let server = try ServerProcess("saga-server --role orchestrator without tokens", arguments: ["--role", "orchestrator"],
            environment: ["KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"])
        try await eventually("saga-server to exit") { server.exitStatus != nil }
        #expect(server.exitStatus == 78, "\(server.text)")
        #expect(server.text.contains("missing setting SAGA_AUTH_TOKENS (--auth-tokens)"), "\(server.text)")
        #expect(server.text.contains("SAGA_AUTH_DISABLED=true"), "the message says how to opt out")
    }

    @Test func explicitlyDisabledAuthenticationStartsWithAWarning() async throws {
        let deployment = try await SagaServerProcessTests.Deployment()
        defer { deployment.remove() }
        var environment = deployment.environment(role: .orchestrator, ["SAGA_AUTH_DISABLED": "true"])
        environment["SAGA_AUTH_TOKENS"] = nil
        let server = try ServerProcess("saga-server --role orchestrator --auth-disabled", environment: environment)
        defer { server.killIfRunning() }
        let port = try await server.port()
        let warning = try #require(server.text.split(separator: "\n").first { $0.contains("authentication is DISABLED") })
        #expect(warning.contains("warning"), "\(warning)")
        #expect(try await httpGet(port: port, "/sagas", token: nil).status == 200, "open without a token")
        #expect(try await server.terminate(within: 30) == 0, "\(server.text)")
    }

    @Test func everyRouteButTheProbesNeedsATokenOfTheRightRoleAndNoTokenIsLogged() async throws {
        let deployment = try await SagaServerProcessTests.Deployment()
        defer { deployment.remove() }
        // Debug logging: even then no token appears.
        let server = try ServerProcess("saga-server --role orchestrator",
            environment: deployment.environment(role: .orchestrator, ["SAGA_LOG_LEVEL": "debug"]))
        defer { server.killIfRunning() }
        let port = try await server.port()
        for probe in ["/healthz", "/metrics"] { #expect(try await httpGet(port: port, probe, token: nil).status == 200, "\(probe)") }
        try await eventually("/readyz to answer 200") { try await httpGet(port: port, "/readyz", token: nil).status == 200 }
        let unknownToken = "sst_" + UUID().uuidString
        let missing = try await httpGet(port: port, "/sagas", token: nil)
        #expect(missing.status == 401 && missing.body.contains("urn:swift-saga:problem:unauthorized"), "\(missing)")
        #expect(try await httpGet(port: port, "/sagas", token: unknownToken).status == 401)
        let producer = try await httpGet(port: port, "/sagas", token: SystemTokens.producer.token)
        #expect(producer.status == 403 && producer.body.contains("urn:swift-saga:problem:forbidden"), "\(producer)")
        #expect(try await httpGet(port: port, "/sagas", token: SystemTokens.viewer.token).status == 200)
        #expect(try await httpGet(port: port, "/sagas/\(UUID().uuidString)", token: SystemTokens.producer.token).status == 404)
        #expect(try await server.terminate(within: 30) == 0, "\(server.text)")

        let log = server.text
        #expect(log.contains("unknown bearer token"), "a refused token is logged, by its route only")
        for token in [SystemTokens.producer.token, SystemTokens.viewer.token, SystemTokens.operator.token, unknownToken] {
            #expect(!log.contains(token), "a token appears in the log")
        }
        #expect(!log.contains(SystemTokens.viewer.entry.entry), "the configured entries are redacted in the startup line")
    }
}
