import Foundation
import Kafka
import Testing

/// `sagactl publish` and `sagactl tail` through the real broker (one test at a time: each
/// starts sagactl processes that join consumer groups, and the broker is shared with other suites).
@Suite(.serialized) struct PublishTailTests {
    static func transfer(id: String, amount: Int, note: String?) -> String {
        let noteJSON = note.map { #"{"string":"\#($0)"}"# } ?? "null"
        return #"{"metadata":{"messageId":"\#(UUID().uuidString.lowercased())","sagaId":"\#(id)","causationId":null,"occurredAt":1763700000000,"source":"upi","traceParent":null,"replyTo":null},"transferId":"\#(id)","payerVpa":"alice@okbank","payeeVpa":"bob@upi","amount":{"amountMinor":\#(amount),"currency":"INR"},"note":\#(noteJSON)}"#
    }

    @Test func aPublishedBatchTailsBackDecodedWithKeysAndContractHeaders() async throws {
        let topic = try await TestKafka.topic("cli-publish")
        let ids = (0..<3).map { _ in UUID().uuidString.lowercased() }
        let values = ids.enumerated().map { Self.transfer(id: $0.element, amount: 100 * ($0.offset + 1), note: $0.offset == 1 ? "rent" : nil) }
        let published = try await SagactlProcess.run(
            ["publish", topic, "--schema", "com.swiftsaga.transfer.TransferRequested"],
            input: Array(values.joined(separator: "\n").utf8))
        #expect(published.status == 0, "\(published.error)")
        let reports = published.text.split(separator: "\n")
        #expect(reports.count == 3)
        for (index, id) in ids.enumerated() {
            #expect(reports[index].hasPrefix("record \(index + 1): \(topic) partition "))
            #expect(reports[index].hasSuffix("key \(id)"))
        }

        let tailed = try await SagactlProcess.run(["tail", topic, "--max", "3", "--timeout", "20"])
        #expect(tailed.status == 0, "\(tailed.error)")
        let records = try TestKafka.lines(tailed.text)
        try #require(records.count == 3)
        for value in values {
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(value.utf8)) as? NSDictionary)
            let metadata = try #require(expected["metadata"] as? [String: Any])
            let messageID = try #require(metadata["messageId"] as? String)
            let record = try #require(records.first { ($0["headers"] as? [String: Any])?["message-id"] as? String == messageID })
            #expect(record["type"] as? String == "com.swiftsaga.transfer.TransferRequested")
            #expect((record["value"] as? NSDictionary) == expected)
            #expect(record["key"] as? String == metadata["sagaId"] as? String)
            let headers = try #require(record["headers"] as? [String: String])
            #expect(headers["message-type"] == "com.swiftsaga.transfer.TransferRequested")
            #expect(headers["saga-id"] == metadata["sagaId"] as? String)
            #expect(headers["causation-id"] == nil)  // a start event has none
            #expect(headers["content-type"] == "application/vnd.apache.avro+binary; single-object")
            #expect(record["partition"] is Int && record["offset"] is Int)
        }
    }

    @Test func aSchemaErrorNamesTheFieldPathAndPublishesNothing() async throws {
        let topic = try await TestKafka.topic("cli-invalid", partitions: 1)
        let good = Self.transfer(id: UUID().uuidString.lowercased(), amount: 5, note: nil)
        let bad = Self.transfer(id: UUID().uuidString.lowercased(), amount: 5, note: nil)
            .replacingOccurrences(of: #""amountMinor":5"#, with: #""amountMinor":"five""#)
        let refused = try await SagactlProcess.run(
            ["publish", topic, "--schema", "TransferRequested"], input: Array([good, bad, good].joined(separator: "\n").utf8))
        #expect(refused.status == 2)
        #expect(refused.error.contains("record 2: "))
        #expect(refused.error.contains("amount.amountMinor"))
        #expect(refused.error.contains("nothing published"))
        #expect(refused.text.isEmpty)

        let marks = try await KafkaTopicReader(configuration: try TestKafka.configuration(), logger: TestKafka.quietLogger)
            .watermarks(of: topic, timeout: .seconds(120))
        #expect(!marks.isEmpty && marks.allSatisfy(\.isEmpty), "the refused batch reached the topic: \(marks)")

        let partial = try await SagactlProcess.run(
            ["publish", topic, "--schema", "TransferRequested", "--continue-on-error"],
            input: Array([good, bad, good].joined(separator: "\n").utf8))
        #expect(partial.status == 1)
        #expect(partial.text.split(separator: "\n").count == 2)
        let after = try await SagactlProcess.run(["tail", topic, "--max", "2", "--timeout", "20"])
        #expect(try TestKafka.lines(after.text).count == 2)
    }

    @Test func undecodableValuesPrintAnErrorLineWithTheBytes() async throws {
        let topic = try await TestKafka.topic("cli-garbage", partitions: 1)
        let producer = try TestKafka.producer()
        _ = try await producer.send(KafkaMessage(topic: topic, key: Array("k".utf8), value: [0x01, 0x02, 0xFF]))
        _ = try await producer.send(KafkaMessage(topic: topic, key: Array("k".utf8), value: [0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x00]))
        await producer.shutdown()

        let tailed = try await SagactlProcess.run(["tail", topic, "--max", "2", "--timeout", "20"])
        #expect(tailed.status == 0, "\(tailed.error)")
        let records = try TestKafka.lines(tailed.text)
        try #require(records.count == 2)
        #expect((records[0]["error"] as? String)?.contains("not an Avro single-object value") == true)
        #expect(records[0]["valueHex"] as? String == "0102ff")
        #expect(records[0]["valueBase64"] as? String == "AQL/")
        #expect((records[1]["error"] as? String)?.contains("unknown schema fingerprint 0807060504030201") == true)
        #expect(records[1]["value"] == nil)
    }

    @Test func connectionOptionsAreCheckedAndThePasswordIsNeverPrinted() async throws {
        let malformed = try await SagactlProcess.run(["tail", "t", "--bootstrap-servers", "127.0.0.1:1", "-X", "no-equals-sign"])
        #expect(malformed.status == 2)
        #expect(malformed.error.contains("-X no-equals-sign: expected key=value"))

        let rejected = try await SagactlProcess.run([
            "tail", "t", "--bootstrap-servers", "127.0.0.1:1", "--security-protocol", "sasl_plaintext", "--sasl-mechanism", "PLAIN", "--sasl-username", "ops",
            "--sasl-password", "hunter2-secret", "-X", "no.such.property=1",
        ])
        #expect(rejected.status != 0)
        #expect(rejected.error.contains("no.such.property"))
        #expect(!rejected.error.contains("hunter2-secret") && !rejected.text.contains("hunter2-secret"))

        let badProtocol = try await SagactlProcess.run(["tail", "t", "--bootstrap-servers", "127.0.0.1:1", "--security-protocol", "tls"])
        #expect(badProtocol.status == 2)
        #expect(badProtocol.error.contains("expected plaintext, ssl, sasl_plaintext or sasl_ssl"))
    }

    @Test func dryRunValidatesWithoutABroker() async throws {
        let value = Self.transfer(id: UUID().uuidString.lowercased(), amount: 1, note: nil)
        let result = try await SagactlProcess.run(
            ["publish", "t", "--schema", "TransferRequested", "--dry-run", "--bootstrap-servers", "127.0.0.1:1", "--value", value])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.text.hasPrefix("record 1: valid, "))
        #expect(result.error.contains("nothing published (--dry-run)"))
    }
}
