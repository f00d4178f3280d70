import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Kafka
import OrderService
import SagaAPI
import SagaSQLite
import SagaTestSupport
import Testing

/// Bearer tokens and roles: 401 without a valid token, 403 for a role that does not allow the
/// route, both `application/problem+json`; `/healthz`, `/readyz`, `/metrics` open to all.
@Suite(.timeLimit(.minutes(1)))
struct AuthenticationTests {
    /// Every route of the `all` role over scratch stores; the producer points nowhere (no request here reaches Kafka).
    static func withAPI(_ authentication: APIAuthentication = TestTokens.authentication,
                        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"]), logger: Broker.logger)
        let builder = APIRouterBuilder(
            authentication: authentication,
            orders: LocalOrderPlacing(service: try await OrderService(path: directory.file("orders.sqlite"))),
            transfers: KafkaTransferRequester(producer: producer, ledger: try IdempotencyLedger(path: directory.file("api.sqlite"))),
            sagas: LocalSagaQuerying(store: try SQLiteSagaStore(path: directory.file("orchestrator.sqlite")))
        )
        do {
            try await application(builder.router()).test(.router) { client in try await body(client) }
        } catch {
            await producer.shutdown(timeout: .seconds(1))
            throw error
        }
        await producer.shutdown(timeout: .seconds(1))
    }

    @Test func aMissingMalformedOrUnknownTokenIs401() async throws {
        try await Self.withAPI { client in
            let transfer = transferBody(from: "alice@okbank", to: "bob@okbank", amount: 100)
            let missing = try await client.post("/transfers", transfer, token: nil)
            #expect(missing.isProblem(.unauthorized, type: .unauthorized), "\(missing.text)")
            #expect(missing.headers[.wwwAuthenticate] == #"Bearer realm="swift-saga""#)
            let unknown = try await client.post("/transfers", transfer, token: "sst_not-a-configured-token")
            #expect(unknown.isProblem(.unauthorized, type: .unauthorized), "\(unknown.text)")
            #expect(unknown.headers[.wwwAuthenticate] == #"Bearer realm="swift-saga", error="invalid_token""#)
            #expect(!unknown.text.contains("sst_not-a-configured-token"), "the problem does not echo the token")
            let basic = try await client.execute(uri: "/sagas", method: .get, headers: [.authorization: "Basic dXNlcjpwYXNz"]) { JSONReply($0) }
            #expect(basic.isProblem(.unauthorized, type: .unauthorized), "\(basic.text)")
            #expect(basic.headers[.wwwAuthenticate]?.contains(#"error="invalid_request""#) == true)
            // A path that is no route needs a token too: the API's shape is not told to strangers.
            let noRoute = try await client.get("/admin", token: nil)
            #expect(noRoute.isProblem(.unauthorized, type: .unauthorized), "\(noRoute.text)")
            let noRouteWithToken = try await client.get("/admin")
            #expect(noRouteWithToken.isProblem(.notFound, type: .noRoute), "\(noRouteWithToken.text)")
        }
    }

    @Test func eachRoleReachesItsRoutesOnlyAndIsToldWhichRoleItLacks() async throws {
        try await Self.withAPI { client in
            let transfer = transferBody(from: "alice@okbank", to: "bob@okbank", amount: 100)
            let viewerStarting = try await client.post("/transfers", transfer, token: TestTokens.viewer)
            #expect(viewerStarting.isProblem(.forbidden, type: .forbidden), "\(viewerStarting.text)")
            #expect(viewerStarting.json?["requiredRoles"] == .array([.string("producer")]))
            #expect(viewerStarting.string("role") == "viewer")
            let operatorOrdering = try await client.post("/orders", orderBody(product: UUID()), token: TestTokens.operator)
            #expect(operatorOrdering.isProblem(.forbidden, type: .forbidden), "\(operatorOrdering.text)")

            let producerListing = try await client.get("/sagas", token: TestTokens.producer)
            #expect(producerListing.isProblem(.forbidden, type: .forbidden), "\(producerListing.text)")
            #expect(producerListing.json?["requiredRoles"] == .array([.string("viewer"), .string("operator")]))
            for token in [TestTokens.viewer, TestTokens.operator] {
                let listing = try await client.get("/sagas", token: token)
                #expect(listing.status == .ok, "\(listing.text)")
            }
            // One saga's status is every role's: past authorization, an unknown id is a 404.
            for token in [TestTokens.producer, TestTokens.viewer, TestTokens.operator] {
                let status = try await client.get("/sagas/\(UUID().uuidString)", token: token)
                #expect(status.isProblem(.notFound, type: .notFound), "\(status.text)")
            }
            // Bad input from a producer is its 400, past authorization.
            let invalid = try await client.post("/transfers", "{}", token: TestTokens.producer)
            #expect(invalid.isProblem(.badRequest, type: .invalidRequest), "\(invalid.text)")
        }
    }

    @Test func healthReadinessAndMetricsNeedNoToken() async throws {
        try await Self.withAPI { client in
            #expect(try await client.get("/healthz", token: nil).status == .ok)
            #expect(try await client.get("/readyz", token: nil).status == .ok)
            // A public path with another method is its 405, not a 401.
            let post = try await client.post("/healthz", "{}", token: nil)
            #expect(post.isProblem(.methodNotAllowed, type: .methodNotAllowed), "\(post.text)")
        }
    }

    @Test func disabledAuthenticationServesEveryRouteWithoutAToken() async throws {
        try await Self.withAPI(.disabled) { client in
            let listing = try await client.get("/sagas", token: nil)
            #expect(listing.status == .ok, "\(listing.text)")
        }
    }

    @Test func tokenEntriesParseAndMalformedOnesAreRefusedWithoutRepeatingThem() throws {
        let made = AccessToken.generate(name: "alice", role: .operator)
        #expect(made.token.hasPrefix(AccessToken.tokenPrefix) && made.token.count > 40)
        #expect(made.entry.entry.hasPrefix("alice:operator:") && made.entry.entry.count == "alice:operator:".count + 64)
        let other = AccessToken.generate(name: "shop", role: .producer)
        let tokens = try AccessTokens(parsing: " \(made.entry.entry) , \(other.entry.entry),")
        #expect(tokens.holder(of: made.token)?.name == "alice")
        #expect(tokens.holder(of: other.token)?.role == .producer)
        #expect(tokens.holder(of: made.token + "x") == nil)
        #expect("\(made.entry)" == "alice (operator)", "the description never shows the digest")

        let pasted = "bob:viewer:\(made.token)"
        let error = #expect(throws: AccessTokenError.self) { try AccessTokens(parsing: "\(other.entry.entry),\(pasted)") }
        #expect(error?.description.hasPrefix("entry 2: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains(made.token) == false)
        #expect(throws: AccessTokenError.malformed(position: 1, reason: "unknown role 'admin' (expected producer, viewer or operator)")) {
            try AccessTokens(parsing: "root:admin:" + String(repeating: "ab", count: 32))
        }
        #expect(throws: AccessTokenError.duplicateName("shop")) { try AccessTokens(parsing: "\(other.entry.entry),\(other.entry.entry)") }
        #expect(throws: AccessTokenError.empty) { try AccessTokens(parsing: " , ") }
    }
}
