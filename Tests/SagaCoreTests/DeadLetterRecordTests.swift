import Foundation
import SagaCore
import SagaTestSupport
import Testing

@Suite struct DeadLetterRecordTests {
    let original = InboundMessage(
        topic: "payment.commands", partition: 3, offset: 4_294_967_301, timestampMilliseconds: 1_700_000_000_123,
        key: Array("saga-9".utf8), value: [0xC3, 0x01, 9, 9],
        headers: [SagaHeader("message-id", "m-1"), SagaHeader("message-type", "com.swiftsaga.order.AuthorizePayment")]
    )
    let failure = DeadLetterFailure(
        kind: .undecodable, errorType: "Avro.AvroDecodingError", message: "unknown fingerprint 0x12",
        causeType: "Swift.DecodingError", causeDescription: "bad bytes", attempts: 1
    )
    let failedAt = Date(timeIntervalSince1970: 1_700_000_001.5)

    @Test func recordKeepsTheOriginalAndAddsSpringHeaders() throws {
        let (record, partition) = DeadLetterRecord.make(
            for: original, failure: failure, group: "payment-service", service: "payment", at: failedAt
        )
        #expect(record.topic == "payment.commands.dlq" && partition == 3)
        #expect(record.key == original.key && record.value == original.value)
        #expect(Array(record.headers.prefix(2)) == original.headers)
        let h = record.headers
        #expect(h.string("kafka_dlt-original-topic") == "payment.commands")
        #expect(h.last { $0.key == "kafka_dlt-original-partition" }?.value == [0, 0, 0, 3])
        #expect(h.last { $0.key == "kafka_dlt-original-offset" }?.value == [0, 0, 0, 1, 0, 0, 0, 5])
        #expect(h.last { $0.key == "kafka_dlt-original-timestamp" }?.value == [0, 0, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x7B])
        #expect(h.string("kafka_dlt-original-timestamp-type") == "CreateTime")
        #expect(h.string("kafka_dlt-original-consumer-group") == "payment-service")
        #expect(h.string("kafka_dlt-exception-fqcn") == "Avro.AvroDecodingError")
        #expect(h.string("kafka_dlt-exception-cause-fqcn") == "Swift.DecodingError")
        #expect(h.string("kafka_dlt-exception-message") == "unknown fingerprint 0x12")
        #expect(h.string("kafka_dlt-exception-stacktrace") == "Avro.AvroDecodingError: unknown fingerprint 0x12\nCaused by: Swift.DecodingError: bad bytes")
        #expect(h.string("saga-dlt-service") == "payment")
        #expect(h.string("saga-dlt-error-kind") == "undecodable")
        #expect(h.string("saga-dlt-attempts") == "1")
        #expect(h.string("saga-dlt-failed-at") == "2023-11-14T22:13:21.500Z")
        let origin = try #require(DeadLetterRecord.origin(of: InboundMessage(
            topic: record.topic, partition: partition, offset: 0, timestampMilliseconds: nil, key: record.key,
            value: record.value, headers: record.headers)))
        #expect(origin == DeadLetterRecord.Origin(topic: "payment.commands", partition: 3, offset: 4_294_967_301))
    }

    @Test func replayThenFailingAgainCarriesOnlyTheLatestErrorHeaders() throws {
        let (first, partition) = DeadLetterRecord.make(for: original, failure: failure, group: "g", service: "s", at: failedAt)
        let dlq = InboundMessage(topic: first.topic, partition: partition, offset: 17, timestampMilliseconds: 1, key: first.key,
            value: first.value, headers: first.headers)
        let replay = try #require(DeadLetterRecord.replay(of: dlq, replayID: "rp-1"))
        #expect(replay.topic == "payment.commands" && replay.key == original.key && replay.value == original.value)
        #expect(replay.headers == original.headers + [SagaHeader("saga-replay-id", "rp-1")])
        // The replayed copy fails again at a new offset.
        let replayed = InboundMessage(topic: replay.topic, partition: 3, offset: 99, timestampMilliseconds: 2, key: replay.key,
            value: replay.value, headers: replay.headers)
        var second = failure
        second.message = "still unknown"
        second.attempts = 3
        let (again, _) = DeadLetterRecord.make(for: replayed, failure: second, group: "g", service: "s", at: failedAt)
        #expect(again.headers.count == first.headers.count + 1) // + the replay id, nothing accumulated
        #expect(again.headers.filter { $0.key == "kafka_dlt-exception-message" }.map(\.stringValue) == ["still unknown"])
        #expect(again.headers.string("saga-dlt-attempts") == "3")
        #expect(again.headers.string("saga-replay-id") == "rp-1")
        // A second replay replaces the replay id instead of adding one.
        let dlq2 = InboundMessage(topic: again.topic, partition: 3, offset: 18, timestampMilliseconds: 3, key: again.key,
            value: again.value, headers: again.headers)
        let replay2 = try #require(DeadLetterRecord.replay(of: dlq2, replayID: "rp-2"))
        #expect(replay2.headers.filter { $0.key == "saga-replay-id" }.map(\.stringValue) == ["rp-2"])
    }

    @Test func longTextsAreCutOnCharacterBoundaries() {
        var long = failure
        long.message = String(repeating: "é", count: 2_000)  // 4,000 bytes
        long.causeDescription = String(repeating: "x", count: 20_000)
        let (record, _) = DeadLetterRecord.make(for: original, failure: long, group: "g", service: "s", at: failedAt,
            limits: DeadLetterLimits(message: 101, stacktrace: 500))
        let message = record.headers.string("kafka_dlt-exception-message") ?? ""
        #expect(message.utf8.count <= 101 && message.hasSuffix("…") && message.hasPrefix("éé"))
        #expect((record.headers.string("kafka_dlt-exception-stacktrace") ?? "").utf8.count <= 500)
        #expect(DeadLetterRecord.truncate("short", to: 10) == "short")
    }

    @Test func recordWithoutOriginHeadersCannotBeReplayed() {
        #expect(DeadLetterRecord.replay(of: original, replayID: "x") == nil)
    }
}
