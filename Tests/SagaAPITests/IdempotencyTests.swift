import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import OrderService
import SagaAPI
import SagaCore
import SagaServicesTestSupport
import SagaTestSupport
import Testing

/// Concurrent requests with one idempotency key: one saga, one 202, the same id for all.
@Suite(.timeLimit(.minutes(2)))
struct IdempotencyTests {
    @Test func concurrentRequestsWithOneKeyStartOneSaga() async throws {
        let directory = try TemporaryDirectory()
        let kafka = try Broker.configuration()
        let prefix = "idem-\(UUID().uuidString.prefix(8))."
        let admin = try KafkaAdmin(configuration: kafka, logger: Broker.logger)
        try await admin.createTopics([KafkaTopicSpecification(name: prefix + "transfer.requested")])
        let orders = try await OrderService(path: directory.file("orders.sqlite"), orderPlacedTopic: prefix + "order.placed")
        let producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        let builder = APIRouterBuilder(
            authentication: TestTokens.authentication,
            orders: LocalOrderPlacing(service: orders),
            transfers: KafkaTransferRequester(producer: producer, topic: prefix + "transfer.requested",
                ledger: try IdempotencyLedger(path: directory.file("api.sqlite")))
        )
        let orderBody = orderBody(product: UUID()), transfer = transferBody(from: "alice@okbank", to: "bob@upibank", amount: 700)
        let (orderReplies, transferReplies) = try await application(builder.router()).test(.router) { client in
            try await withThrowingTaskGroup(of: (String, JSONReply).self) { group in
                for _ in 0..<8 {
                    group.addTask { ("order", try await client.post("/orders", orderBody, key: "order-key")) }
                    group.addTask { ("transfer", try await client.post("/transfers", transfer, key: "transfer-key")) }
                }
                var orders: [JSONReply] = [], transfers: [JSONReply] = []
                for try await (kind, reply) in group {
                    if kind == "order" { orders.append(reply) } else { transfers.append(reply) }
                }
                return (orders, transfers)
            }
        }
        for (name, replies) in [("orders", orderReplies), ("transfers", transferReplies)] {
            #expect(replies.filter { $0.status == .accepted }.count == 1, "\(name): \(replies.map(\.status))")
            #expect(replies.filter { $0.status == .ok }.count == 7, "\(name): \(replies.map(\.text))")
            #expect(Set(replies.compactMap { $0.string("sagaId") }).count == 1, "\(name)")
        }
        #expect(try await orders.store.pendingOutbox(limit: 100).count == 1, "one OrderPlaced")

        // Every TransferRequested published carries the same message id, so the orchestrator starts one saga.
        let transferID = try #require(transferReplies.first?.string("sagaId"))
        let records = try await readRecords(of: prefix + "transfer.requested", kafka: kafka) { !$0.isEmpty }
        let messageIDs = Set(records.compactMap { record in record.headers.first { $0.key == "message-id" }?.value })
        #expect(messageIDs.count == 1)
        #expect(records.allSatisfy { $0.key == Array(transferID.utf8) })
        await producer.shutdown(timeout: .seconds(5))
    }
}
