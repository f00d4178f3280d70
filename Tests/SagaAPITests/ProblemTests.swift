import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import NIOCore
import OrderService
import SagaAPI
import SagaCore
import SagaSQLite
import SagaAvro
import SagaServicesTestSupport
import SagaTestSupport
import Testing

/// Bad requests: every one is an `application/problem+json` answer naming the field at fault,
/// and no input crashes the server. Real stores (SQLite) and a real producer; nothing reaches a saga.
@Suite(.timeLimit(.minutes(2)))
struct ProblemTests {
    /// The `all` role's routes over scratch stores.
    static func withAPI(_ body: @escaping @Sendable (any TestClientProtocol, OrderService) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let orders = try await OrderService(path: directory.file("orders.sqlite"), orderPlacedTopic: "api-tests.order.placed")
        let producer = try KafkaProducer(configuration: try Broker.configuration(), logger: Broker.logger)
        let builder = APIRouterBuilder(
            authentication: TestTokens.authentication,
            orders: LocalOrderPlacing(service: orders),
            transfers: KafkaTransferRequester(producer: producer, topic: "api-tests.transfer.requested",
                ledger: try IdempotencyLedger(path: directory.file("api.sqlite"))),
            sagas: LocalSagaQuerying(store: try SQLiteSagaStore(path: directory.file("orchestrator.sqlite")))
        )
        do {
            try await application(builder.router()).test(.router) { client in try await body(client, orders) }
        } catch {
            await producer.shutdown(timeout: .seconds(5))
            throw error
        }
        await producer.shutdown(timeout: .seconds(5))
    }

    static let product = UUID()

    @Test(arguments: [
        // (body, the fields the problem must name)
        ("{\"customerId\": ", ["body"]),
        ("", ["body"]),
        ("[1, 2]", ["body"]),
        ("{}", ["customerId", "items", "currency", "paymentToken"]),
        (orderBody(product: product, quantity: 0), ["items[0].quantity"]),
        (orderBody(product: product, quantity: -3), ["items[0].quantity"]),
        (orderBody(product: product, quantity: 3_000_000_000), ["items[0].quantity"]),
        (orderBody(product: product, price: -1), ["items[0].unitPriceMinor"]),
        (orderBody(product: product, currency: "inr"), ["currency"]),
        (orderBody(product: product, token: ""), ["paymentToken"]),
        (orderBody(product: product).replacingOccurrences(of: "\"quantity\":1", with: "\"quantity\":\"1\""), ["items[0].quantity"]),
        (orderBody(product: product).replacingOccurrences(of: "\"quantity\":1", with: "\"quantity\":1.5"), ["items[0].quantity"]),
        (orderBody(product: product).replacingOccurrences(of: product.uuidString, with: "not-a-uuid"), ["items[0].productId"]),
        (orderBody(product: product).replacingOccurrences(of: "\"sku\"", with: "\"skew\""), ["items[0].skew", "items[0].sku"]),
        (#"{"customerId":"3f0c2d5e-8a51-4a7e-9a4b-1d2c3e4f5a6b","items":[],"currency":"INR","paymentToken":"t"}"#, ["items"]),
        (#"{"customerId":"3f0c2d5e-8a51-4a7e-9a4b-1d2c3e4f5a6b","items":[7],"currency":"INR","paymentToken":"t"}"#, ["items[0]"]),
        (#"{"customerId":null,"items":{},"currency":3,"paymentToken":true}"#, ["customerId", "items", "currency", "paymentToken"]),
    ])
    func aBadOrderIsA400NamingTheField(body: String, fields: [String]) async throws {
        try await Self.withAPI { client, _ in
            let reply = try await client.post("/orders", body)
            #expect(reply.isProblem(.badRequest, type: .invalidRequest), "\(reply.text)")
            #expect(Set(reply.fieldErrors) == Set(fields), "\(reply.text)")
        }
    }

    @Test(arguments: [
        (transferBody(from: "alice", to: "bob@upibank", amount: 100), ["payerVpa"]),
        (transferBody(from: "alice@okbank", to: "bob@up!bank", amount: 100), ["payeeVpa"]),
        (transferBody(from: "alice@okbank", to: "ALICE@okbank", amount: 100), ["payeeVpa"]),
        (transferBody(from: "alice@okbank", to: "bob@upibank", amount: 0), ["amountMinor"]),
        (transferBody(from: "alice@okbank", to: "bob@upibank", amount: -5), ["amountMinor"]),
        (transferBody(from: "alice@okbank", to: "bob@upibank", amount: 100, currency: "RUPEES"), ["currency"]),
        (#"{"payerVpa":"a@b","amountMinor":"100"}"#, ["payerVpa", "payeeVpa", "amountMinor", "currency"]),
        (#"{"payerVpa":"alice@okbank","payeeVpa":"bob@upibank","amountMinor":1,"currency":"INR","memo":"x"}"#, ["memo"]),
        ("{\"payerVpa\": \"alice@okbank\",}", ["body"]),
        ("\"a string\"", ["body"]),
    ])
    func aBadTransferIsA400NamingTheField(body: String, fields: [String]) async throws {
        try await Self.withAPI { client, _ in
            let reply = try await client.post("/transfers", body)
            #expect(reply.isProblem(.badRequest, type: .invalidRequest), "\(reply.text)")
            #expect(Set(reply.fieldErrors) == Set(fields), "\(reply.text)")
        }
    }

    @Test func badIDsRoutesMethodsMediaTypesAndKeysAreProblems() async throws {
        try await Self.withAPI { client, _ in
            let unknown = try await client.get("/sagas/\(UUID().uuidString)")
            #expect(unknown.isProblem(.notFound, type: .notFound), "\(unknown.text)")
            let malformed = try await client.get("/sagas/not-a-uuid")
            #expect(malformed.isProblem(.badRequest, type: .invalidRequest) && malformed.fieldErrors == ["id"], "\(malformed.text)")
            for (query, field) in [("state=done", "state"), ("since=yesterday", "since"), ("limit=0", "limit"), ("limit=x", "limit"),
                                   ("limit=100000", "limit"), ("status=running", "status"), ("type=", "type")] {
                let reply = try await client.get("/sagas?\(query)")
                #expect(reply.isProblem(.badRequest, type: .invalidRequest) && reply.fieldErrors == [field], "\(query): \(reply.text)")
            }
            let noRoute = try await client.get("/nowhere")
            #expect(noRoute.isProblem(.notFound, type: .noRoute), "\(noRoute.text)")
            let wrongMethod = try await client.get("/orders")
            #expect(wrongMethod.isProblem(.methodNotAllowed, type: .methodNotAllowed), "\(wrongMethod.text)")
            #expect(wrongMethod.json?["allow"] == .array([.string("POST")]))
            #expect(wrongMethod.headers[.allow] == "POST")
            let text = try await client.post("/orders", "customerId=1", contentType: "text/plain")
            #expect(text.isProblem(.unsupportedMediaType, type: .unsupportedMediaType), "\(text.text)")
            let huge = try await client.post("/transfers", "[" + String(repeating: "1,", count: JSONRequestBody.maximumSize / 2) + "1]")
            #expect(huge.isProblem(.contentTooLarge, type: .bodyTooLarge), "\(huge.text.prefix(300))")
            let badKey = try await client.post("/orders", orderBody(product: UUID()), key: String(repeating: "k", count: 256))
            #expect(badKey.isProblem(.badRequest, type: .invalidRequest) && badKey.fieldErrors == ["Idempotency-Key"], "\(badKey.text)")
        }
    }

    @Test func anOrderKeyRepeatReturnsTheSameIDAndPlacesNothingNew() async throws {
        try await Self.withAPI { client, orders in
            let body = orderBody(product: UUID(), quantity: 2)
            let first = try await client.post("/orders", body, key: "\"quoted-key-1\"")
            let again = try await client.post("/orders", body, key: "quoted-key-1")
            #expect(first.status == .accepted && again.status == .ok, "\(first.text) \(again.text)")
            let id = try #require(first.string("orderId"))
            #expect(again.string("orderId") == id)
            let orderID = try #require(UUID(uuidString: id))
            let stored = try #require(try await orders.order(orderID))
            #expect(stored.lines.map(\.quantity) == [2] && stored.status == "PENDING")
            let pending = try await orders.store.pendingOutbox(limit: 10)
            #expect(pending.count == 1, "one OrderPlaced for two requests with one key")
        }
    }

    @Test func noInputCrashesTheServer() async throws {
        let fragments = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "-0", "1e999", "\"items\"", "\"quantity\"", "\\u0000",
                         "\u{FFFF}", "0.5", "\"customerId\"", "{\"items\":[", " ", "\u{0}"]
        try await Self.withAPI { client, _ in
            var generator = SystemRandomNumberGenerator()
            for round in 0..<200 {
                var body = ""
                for _ in 0..<Int.random(in: 0...30, using: &generator) { body += fragments.randomElement(using: &generator) ?? "" }
                if round % 4 == 0 { body = String(decoding: (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }, as: UTF8.self) }
                for path in ["/orders", "/transfers"] {
                    let reply = try await client.post(path, body)
                    #expect(reply.isProblem(.badRequest, type: .invalidRequest), "\(path) \(body.debugDescription): \(reply.text)")
                }
            }
        }
    }
}
