import Avro
import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaTestSupport
import ServiceKit
import Testing

/// The README's "Publish an event" example, run as written against the real broker: the record
/// it publishes is read back and must be the event, keyed and headed as the contracts say.
@Suite(.timeLimit(.minutes(2)))
struct ReadmeExampleTests {
    @Test func publishingAnOrderPlacedAsTheReadmeShows() async throws {
        let config = try Broker.configuration()
        let topic = "readme-\(UUID().uuidString.prefix(8).lowercased())." + SagaTopics().orderPlaced
        let orderID = UUID()
        let customerID = UUID()
        let items = [OrderItem(productId: UUID(), sku: "SKU-1", quantity: 2, unitPriceMinor: 12_500)]

        // As in the README (only the topic is made unique for the test).
        let producer = try KafkaProducer(configuration: config, logger: Broker.logger)
        let placed = OrderPlaced(
            metadata: MessageMetadata(messageId: UUID(), sagaId: orderID, causationId: nil, occurredAt: Date(),
                                      source: "shop", traceParent: nil, replyTo: nil),
            orderId: orderID, customerId: customerID, items: items, currency: "INR", paymentToken: "tok_visa")
        let record = try StartEvent.message(placed, topic: topic)
        let report = try await producer.send(KafkaMessage(record))
        #expect(report.topic == topic)
        #expect(report.offset == 0)
        await producer.shutdown()

        var consumerConfig = config
        consumerConfig.groupID = "readme-\(UUID().uuidString)"
        let consumer = try KafkaConsumer(configuration: consumerConfig, logger: Broker.logger)
        try consumer.subscribe(to: [topic])
        var received: KafkaConsumerMessage?
        for try await message in consumer.messages {
            received = message
            try consumer.markProcessed(message)
            break
        }
        await consumer.close()
        let message = try #require(received)

        #expect(message.keyString == orderID.uuidString.lowercased())
        let headers = Dictionary(message.headers.map { ($0.name, String(decoding: $0.value ?? [], as: UTF8.self)) },
                                 uniquingKeysWith: { first, _ in first })
        #expect(headers[SagaHeaders.messageType] == "com.swiftsaga.order.OrderPlaced")
        #expect(headers[SagaHeaders.sagaID] == orderID.uuidString.lowercased())
        #expect(headers[SagaHeaders.contentType] == SagaContracts.singleObjectContentType)
        let value = try #require(message.value)
        let decoded = try AvroSingleObject.decode(OrderPlaced.self, from: value, store: AvroSchemaStore([OrderPlaced.avroSchema]))
        #expect(decoded.orderId == orderID)
        #expect(decoded.items == items)
        #expect(decoded.metadata.messageId == placed.metadata.messageId)
    }
}
