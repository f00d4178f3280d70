import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import SagaAPI
import SagaCore
import SagaAvro
import SagaServicesTestSupport
import SagaTestSupport
import ServiceKit
import Testing

/// `POST /orders` and `GET /sagas…` through the real broker and the real services.
@Suite(.timeLimit(.minutes(3)))
struct OrderAPITests {
    @Test func ordersPostedToTheAPICompleteOrCompensateAndTheListFilters() async throws {
        try await APIWorld.with { world in
            let widget = UUID(), gadget = UUID()
            try await world.services.inventory.addStock(productID: widget, sku: "WIDGET", units: 10)
            try await world.services.inventory.addStock(productID: gadget, sku: "GADGET", units: 1)
            let customer = UUID()
            let key = "order-" + UUID().uuidString
            try await application(world.builder.router()).test(.router) { client in
                let body = orderBody(customer: customer, product: widget, quantity: 2, price: 1_250)
                let placed = try await client.post("/orders", body, key: key)
                #expect(placed.status == .accepted, "\(placed.text)")
                let okID = try #require(placed.string("orderId"))
                #expect(placed.string("sagaId") == okID && placed.headers[.location] == "/sagas/\(okID)")
                #expect(okID == (try IdempotencyKey(key)).sagaID(kind: "order").uuidString.lowercased())

                let repeated = try await client.post("/orders", body, key: key)
                #expect(repeated.status == .ok && repeated.string("orderId") == okID, "\(repeated.text)")
                let reused = try await client.post("/orders", orderBody(customer: customer, product: widget, quantity: 3), key: key)
                #expect(reused.isProblem(.unprocessableContent, type: .idempotencyKeyReused), "\(reused.text)")

                let short = try await client.post("/orders", orderBody(customer: customer, product: gadget, sku: "GADGET", quantity: 3))
                #expect(short.status == .accepted, "\(short.text)")
                let shortID = try #require(short.string("orderId"))

                let okUUID = try #require(UUID(uuidString: okID)), shortUUID = try #require(UUID(uuidString: shortID))
                #expect(try await world.services.waitForEnd(of: okUUID).status == .completed)
                #expect(try await world.services.waitForEnd(of: shortUUID).status == .compensated)
                #expect(try await world.services.orders.order(okUUID)?.status == "CONFIRMED")
                #expect(try await world.services.orders.order(shortUUID)?.cancelCode == "OUT_OF_STOCK")
                #expect(try await world.services.inventory.available(widget) == 8)

                let compensated = try await client.get("/sagas/\(shortID)")
                #expect(compensated.string("state") == "compensated" && compensated.string("type") == "order", "\(compensated.text)")
                #expect(compensated.json?["data"]?["failureCode"] == .string("OUT_OF_STOCK"), "\(compensated.text)")
                guard case .array(let history)? = compensated.json?["history"] else {
                    Issue.record("no history: \(compensated.text)")
                    return
                }
                #expect(history.contains { $0["step"] == .string("reserveStock") && $0["outcome"] == .string("businessFailure") })
                #expect(history.contains { $0["phase"] == .string("compensation") })

                // The list: by state (repeated and comma forms), type, since, limit; newest first.
                #expect(try await ids(client, "/sagas?type=order") == [shortID, okID])
                #expect(try await ids(client, "/sagas?state=completed") == [okID])
                #expect(try await ids(client, "/sagas?state=compensated&state=completed") == [shortID, okID])
                #expect(try await ids(client, "/sagas?state=completed,compensated&type=order") == [shortID, okID])
                #expect(try await ids(client, "/sagas?state=running") == [])
                #expect(try await ids(client, "/sagas?type=transfer") == [])
                #expect(try await ids(client, "/sagas?since=1h&limit=1") == [shortID])
                #expect(try await ids(client, "/sagas?since=2999-01-01T00:00:00Z") == [])
                let list = try await client.get("/sagas?type=order")
                #expect(list.json?["count"] == .integer(2))
            }
            #expect(try await world.services.orders.order(try IdempotencyKey(key).sagaID(kind: "order")) != nil)
        }
    }
}

/// The saga ids `GET uri` lists, in order.
func ids(_ client: some TestClientProtocol, _ uri: String) async throws -> [String] {
    let reply = try await client.get(uri)
    #expect(reply.status == .ok, "\(uri): \(reply.text)")
    guard case .array(let sagas)? = reply.json?["sagas"] else { return [] }
    return sagas.compactMap { if case .string(let id)? = $0["sagaId"] { id } else { nil } }
}
