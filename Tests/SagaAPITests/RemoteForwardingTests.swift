import AsyncHTTPClient
import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import SagaAPI
import SagaCore
import SagaAvro
import SagaServicesTestSupport
import SagaTestSupport
import Testing

/// The `api` role forwarding to live `order` and `orchestrator` servers on local ports, and what
/// it answers when they are down or answer nonsense.
@Suite(.timeLimit(.minutes(3)))
struct RemoteForwardingTests {
    @Test func theAPIRoleForwardsOrdersAndSagaQueriesToLiveUpstreams() async throws {
        try await APIWorld.with { world in
            let widget = UUID()
            try await world.services.inventory.addStock(productID: widget, sku: "WIDGET", units: 5)
            let orderRole = APIRouterBuilder(authentication: TestTokens.authentication, orders: LocalOrderPlacing(service: world.services.orders))
            let orchestratorRole = APIRouterBuilder(authentication: TestTokens.authentication, sagas: LocalSagaQuerying(store: world.services.orchestratorStore))
            try await application(orderRole.router()).test(.live) { orderClient in
                try await application(orchestratorRole.router()).test(.live) { orchestratorClient in
                    let orderURL = "http://127.0.0.1:\(try #require(orderClient.port))"
                    let orchestratorURL = "http://127.0.0.1:\(try #require(orchestratorClient.port))/"
                    let api = APIRouterBuilder(
            authentication: TestTokens.authentication,
                        orders: RemoteOrderPlacing(upstream: try Upstream(name: "order", baseURL: orderURL, client: .shared)),
                        sagas: RemoteSagaQuerying(upstream: try Upstream(name: "orchestrator", baseURL: orchestratorURL, client: .shared))
                    )
                    try await application(api.router()).test(.router) { client in
                        let key = UUID().uuidString
                        let body = orderBody(product: widget, quantity: 2)
                        let placed = try await client.post("/orders", body, key: key)
                        #expect(placed.status == .accepted, "\(placed.text)")
                        let id = try #require(placed.string("orderId"))
                        #expect(placed.headers[.location] == "/sagas/\(id)")
                        #expect(id == (try IdempotencyKey(key)).sagaID(kind: "order").uuidString.lowercased(), "the order role derived the id from the key")

                        let repeated = try await client.post("/orders", body, key: key)
                        #expect(repeated.status == .ok && repeated.string("orderId") == id, "\(repeated.text)")
                        // The order role's 422 passes through unchanged.
                        let reused = try await client.post("/orders", orderBody(product: widget, quantity: 1), key: key)
                        let direct = try await orderClient.post("/orders", orderBody(product: widget, quantity: 1), key: key)
                        #expect(reused.isProblem(.unprocessableContent, type: .idempotencyKeyReused), "\(reused.text)")
                        #expect(reused.json == direct.json)

                        let orderID = try #require(UUID(uuidString: id))
                        #expect(try await world.services.waitForEnd(of: orderID).status == .completed)
                        let status = try await client.get("/sagas/\(id)")
                        #expect(status.status == .ok && status.string("state") == "completed", "\(status.text)")
                        #expect(status.json == (try await orchestratorClient.get("/sagas/\(id)")).json)
                        #expect(try await ids(client, "/sagas?type=order&state=completed&since=10m") == [id])
                        let unknown = try await client.get("/sagas/\(UUID().uuidString)")
                        #expect(unknown.isProblem(.notFound, type: .notFound), "\(unknown.text)")
                        // The timeline is the orchestrator's, passed through; an unknown saga's 404 too.
                        let timeline = try await client.get("/sagas/\(id)/timeline")
                        let directTimeline = try await orchestratorClient.get("/sagas/\(id)/timeline")
                        #expect(timeline.status == .ok && timeline.json == directTimeline.json, "\(timeline.text)")
                        let unknownTimeline = try await client.get("/sagas/\(UUID().uuidString)/timeline")
                        #expect(unknownTimeline.isProblem(.notFound, type: .notFound), "\(unknownTimeline.text)")
                    }
                }
            }
        }
    }

    @Test func anUnreachableUpstreamIsA503NamingIt() async throws {
        let api = APIRouterBuilder(
            authentication: TestTokens.authentication,
            orders: RemoteOrderPlacing(upstream: try Upstream(name: "order", baseURL: "http://127.0.0.1:1", client: .shared, timeout: .seconds(2))),
            sagas: RemoteSagaQuerying(upstream: try Upstream(name: "orchestrator", baseURL: "http://127.0.0.1:1", client: .shared, timeout: .seconds(2)))
        )
        try await application(api.router()).test(.router) { client in
            let order = try await client.post("/orders", orderBody(product: UUID()))
            #expect(order.isProblem(.serviceUnavailable, type: .upstreamUnavailable), "\(order.text)")
            #expect(order.json?["upstream"]?["name"] == .string("order"))
            let saga = try await client.get("/sagas/\(UUID().uuidString)")
            #expect(saga.isProblem(.serviceUnavailable, type: .upstreamUnavailable), "\(saga.text)")
            #expect(saga.json?["upstream"]?["name"] == .string("orchestrator"))
            // Invalid input is refused before forwarding: a 400, not a 503.
            let invalid = try await client.post("/orders", "{}")
            #expect(invalid.isProblem(.badRequest, type: .invalidRequest), "\(invalid.text)")
        }
    }

    @Test func anUpstreamAnsweringNonsenseIsA502() async throws {
        let nonsense = Router()
        nonsense.get("/sagas/{id}") { _, _ in "not json" }
        nonsense.get("/sagas") { _, _ in #"{"unexpected":true}"# }
        try await application(nonsense).test(.live) { upstreamClient in
            let upstream = try Upstream(name: "orchestrator", baseURL: "http://127.0.0.1:\(try #require(upstreamClient.port))", client: .shared)
            let api = APIRouterBuilder(authentication: TestTokens.authentication, sagas: RemoteSagaQuerying(upstream: upstream))
            try await application(api.router()).test(.router) { client in
                let saga = try await client.get("/sagas/\(UUID().uuidString)")
                #expect(saga.isProblem(.badGateway, type: .upstreamUnavailable), "\(saga.text)")
                let list = try await client.get("/sagas")
                #expect(list.isProblem(.badGateway, type: .upstreamUnavailable), "\(list.text)")
            }
        }
        // An upstream URL naming a role without the routes (here: operations only) is a 502, not a 404 for the caller.
        try await application(APIRouterBuilder(authentication: TestTokens.authentication).router()).test(.live) { wrongRole in
            let upstream = try Upstream(name: "orchestrator", baseURL: "http://127.0.0.1:\(try #require(wrongRole.port))", client: .shared)
            let api = APIRouterBuilder(
            authentication: TestTokens.authentication,
                orders: RemoteOrderPlacing(upstream: try Upstream(name: "order", baseURL: upstream.baseURL, client: .shared)),
                sagas: RemoteSagaQuerying(upstream: upstream))
            try await application(api.router()).test(.router) { client in
                let saga = try await client.get("/sagas/\(UUID().uuidString)")
                #expect(saga.isProblem(.badGateway, type: .upstreamUnavailable), "\(saga.text)")
                #expect(saga.string("detail")?.contains("is the orchestrator URL right?") == true, "\(saga.text)")
                let order = try await client.post("/orders", orderBody(product: UUID()))
                #expect(order.isProblem(.badGateway, type: .upstreamUnavailable) && order.json?["upstream"]?["name"] == .string("order"), "\(order.text)")
            }
        }
    }

    @Test func anUpstreamURLMustBeAbsoluteHTTP() {
        for bad in ["", "order:8080", "ftp://order", "/orders", "http://"] {
            #expect(throws: Upstream.InvalidURL.self, "\(bad)") { try Upstream(name: "order", baseURL: bad, client: .shared) }
        }
    }
}
