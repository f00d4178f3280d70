import Avro
import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaSQLite
import Testing

/// The dead-letter commands work for the bill-settlement saga like for the other two: a dead-lettered
/// `BillSettlementRequested` is listed with its shares decoded, grouped by cause, and replayed
/// once to its topic.
@Suite(.serialized) struct BillDLQTests {
    @Test func aDeadLetteredBillIsListedDecodedAndReplayedOnce() async throws {
        let topic = try await TestKafka.topic("bill.settlement.requested", partitions: 1)
        let admin = try KafkaAdmin(configuration: try TestKafka.configuration(), logger: TestKafka.quietLogger)
        try await admin.createTopics([KafkaTopicSpecification(name: topic + ".dlq", partitions: 1)])
        let billID = UUID(), messageID = UUID()
        let event = BillSettlementRequested(
            metadata: MessageMetadata(messageId: messageID, sagaId: billID, causationId: nil, occurredAt: Date(), source: "bill-app",
                traceParent: nil, replyTo: nil),
            billId: billID, ownerVpa: "olivia@okbank", currency: "INR",
            shares: [BillShare(payerVpa: "bob@okbank", amountMinor: 1_500), BillShare(payerVpa: "carol@okbank", amountMinor: 2_500)],
            note: "dinner")
        let original = InboundMessage(
            topic: topic, partition: 0, offset: 7, timestampMilliseconds: 1_763_700_000_000,
            key: Array(billID.uuidString.lowercased().utf8), value: try AvroSingleObject.encode(event),
            headers: [SagaHeader("message-type", BillSettlementRequested.messageType),
                      SagaHeader("message-id", messageID.uuidString.lowercased())])
        let (record, partition) = DeadLetterRecord.make(
            for: original, failure: DeadLetterFailure(kind: .retriesExhausted, errorType: "StoreUnavailable",
                message: "orchestrator store locked", attempts: 5),
            group: "saga-orchestrator", service: "orchestrator", at: Date())
        let producer = try TestKafka.producer()
        _ = try await producer.send(KafkaMessage(record, partition: partition))
        await producer.shutdown()

        let listed = try TestKafka.lines(try await SagactlProcess.run(["dlq", "list", topic, "--json"]).text)
        try #require(listed.count == 1)
        let value = try #require(listed[0]["value"] as? [String: Any])
        let shares = try #require(value["shares"] as? [[String: Any]])
        #expect(shares.map { $0["payerVpa"] as? String } == ["bob@okbank", "carol@okbank"])
        #expect(listed[0]["errorKind"] as? String == "retriesExhausted")
        let summary = try TestKafka.lines(try await SagactlProcess.run(["dlq", "summary", topic, "--json"]).text)
        #expect(summary.map { $0["count"] as? Int } == [1])

        let store = FileManager.default.temporaryDirectory.appendingPathComponent("sagactl-bill-dlq-\(UUID().uuidString).sqlite").path
        _ = try SQLiteSagaStore(path: store)
        let replayed = try await SagactlProcess.run(["dlq", "replay", topic, "--all", "--store", store])
        #expect(replayed.status == 0 && replayed.text.hasPrefix("replayed 0:0 to \(topic)/0@"), "\(replayed.text) \(replayed.error)")
        let back = try TestKafka.lines(try await SagactlProcess.run(["tail", topic, "--max", "1", "--timeout", "20"]).text)
        try #require(back.count == 1)
        #expect((back[0]["headers"] as? [String: Any])?["message-id"] as? String == messageID.uuidString.lowercased())
        #expect(((back[0]["value"] as? [String: Any])?["shares"] as? [[String: Any]])?.count == 2)
        let again = try await SagactlProcess.run(["dlq", "replay", topic, "--all", "--store", store])
        #expect(again.text.contains("refused 0:0: already replayed"), "\(again.text)")
    }
}
