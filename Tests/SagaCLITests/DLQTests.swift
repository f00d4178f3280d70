import Avro
import Foundation
import Kafka
import SagaDev
import SagaCore
import SagaSQLite
import Testing

/// `sagactl dlq list/summary/replay/replays` against a real `.dlq` topic holding records made by the
/// engine's DLQ code (one test at a time, like ``PublishTailTests``).
@Suite(.serialized) struct DLQTests {
    struct Fixture {
        var topic: String
        var store: String
        var letters: [(partition: Int32, offset: Int64, messageID: String, value: [UInt8])]
    }

    /// Dead-letters four TransferRequested records of partition 1 of a new topic: three for one cause, one for another.
    /// Four letters of `topic` (partition 1, original offsets 10 to 13), in partition 1 of its DLQ.
    /// With `originalsOnTopic` the originals are real records of the topic, at those offsets (a
    /// replay lands after its original, and the replays view reads the topic from there only);
    /// without, the topic stays empty until something is replayed.
    static func fixture(originalsOnTopic: Bool = false) async throws -> Fixture {
        let topic = try await TestKafka.topic("cli-dlq", partitions: 2)
        let admin = try KafkaAdmin(configuration: try TestKafka.configuration(), logger: TestKafka.quietLogger)
        try await admin.createTopics([KafkaTopicSpecification(name: topic + ".dlq", partitions: 2)])
        let schema = try SagactlTests.parsed("schemas/com.swiftsaga.transfer.TransferRequested.avsc")
        let producer = try TestKafka.producer()
        var letters: [(Int32, Int64, String, [UInt8])] = []
        for filler in 0..<10 where originalsOnTopic {
            _ = try await producer.send(KafkaMessage(topic: topic, partition: 1, key: Array("filler".utf8), value: [UInt8(filler)]))
        }
        for index in 0..<4 {
            let json = PublishTailTests.transfer(id: UUID().uuidString.lowercased(), amount: 100 + index, note: nil)
            let value = try AvroSingleObject.encode(try AvroJSONCoder(schema: schema).decode(json), schema: schema)
            let messageID = try #require(json.firstMatch(of: /"messageId":"([0-9a-f-]+)"/)).1
            let headers = [SagaHeader("message-type", "com.swiftsaga.transfer.TransferRequested"), SagaHeader("message-id", String(messageID))]
            if originalsOnTopic {
                let landed = try await producer.send(KafkaMessage(OutgoingMessage(topic: topic, key: Array("key-\(index)".utf8), value: value,
                    headers: headers), partition: 1))
                try #require(landed.offset == Int64(10 + index))
            }
            let original = InboundMessage(
                topic: topic, partition: 1, offset: Int64(10 + index), timestampMilliseconds: 1_763_700_000_000,
                key: Array("key-\(index)".utf8), value: value, headers: headers)
            let failure = index < 3
                ? DeadLetterFailure(kind: .nonRetriable, errorType: "PaymentGatewayError", message: "gateway rejected the card", attempts: 1)
                : DeadLetterFailure(kind: .retriesExhausted, errorType: "LedgerUnavailable", message: "ledger timed out", attempts: 5)
            let (record, partition) = DeadLetterRecord.make(
                for: original, failure: failure, group: "account-service", service: "account", at: Date())
            let report = try await producer.send(KafkaMessage(record, partition: partition))
            letters.append((report.partition, report.offset, String(messageID), value))
        }
        await producer.shutdown()
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("sagactl-dlq-\(UUID().uuidString).sqlite").path
        _ = try SQLiteSagaStore(path: store)
        return Fixture(topic: topic, store: store, letters: letters.map { ($0.0, $0.1, $0.2, $0.3) })
    }

    @Test func listAndSummaryShowLettersAndTheirFewCauses() async throws {
        let fixture = try await Self.fixture()
        let list = try await SagactlProcess.run(["dlq", "list", fixture.topic])
        #expect(list.status == 0, "\(list.error)")
        let rows = list.text.split(separator: "\n")
        #expect(rows.count == 5)
        #expect(rows.first?.hasPrefix("DLQ P:OFFSET") == true)
        #expect(rows.dropFirst().allSatisfy { $0.contains("\(fixture.topic)/1@") })
        #expect(rows.filter { $0.contains("PaymentGatewayError: gateway rejected the card") }.count == 3)

        let json = try TestKafka.lines(try await SagactlProcess.run(["dlq", "list", fixture.topic + ".dlq", "--json"]).text)
        try #require(json.count == 4)
        #expect(json.map { $0["originalOffset"] as? Int } == [10, 11, 12, 13])
        #expect(json.map { $0["messageId"] as? String } == fixture.letters.map(\.messageID))
        #expect(json[3]["errorKind"] as? String == "retriesExhausted")
        #expect(json[3]["attempts"] as? String == "5")
        #expect(((json[0]["value"] as? [String: Any])?["amount"] as? [String: Any])?["amountMinor"] as? Int == 100)

        let summary = try TestKafka.lines(try await SagactlProcess.run(["dlq", "summary", fixture.topic, "--json"]).text)
        try #require(summary.count == 2)
        #expect(summary[0]["count"] as? Int == 3)
        #expect(summary[0]["errorMessage"] as? String == "gateway rejected the card")
        #expect(summary[0]["originalTopic"] as? String == fixture.topic)
        #expect(summary[1]["count"] as? Int == 1)
        #expect(summary[1]["errorKind"] as? String == "retriesExhausted")
        let table = try await SagactlProcess.run(["dlq", "summary", fixture.topic])
        #expect(table.text.split(separator: "\n").count == 3)
        #expect(table.text.contains("1:0-2"))
    }

    @Test func replayPublishesOnceRefusesASecondTimeAndForceReplaysAgain() async throws {
        let fixture = try await Self.fixture()
        let first = fixture.letters[0]
        let position = "\(first.partition):\(first.offset)"

        let dry = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--all", "--dry-run"])
        #expect(dry.status == 0, "\(dry.error)")
        #expect(dry.text.split(separator: "\n").count == 4)
        let original = try await KafkaTopicReader(configuration: try TestKafka.configuration(), logger: TestKafka.quietLogger)
            .watermarks(of: fixture.topic, timeout: .seconds(120))
        #expect(original.count == 2 && original.allSatisfy(\.isEmpty), "the dry run published: \(original)")

        let replayed = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--offset", position, "--store", fixture.store])
        #expect(replayed.status == 0, "\(replayed.error)")
        #expect(replayed.text.hasPrefix("replayed \(position) to \(fixture.topic)/1@10 replay-id "))
        let replayID = try #require(replayed.text.split(separator: " ").last.map { String($0.dropLast()) })
        let store = try SQLiteSagaStore(path: fixture.store)
        let record = try #require(try await store.replay(id: replayID))
        #expect(record.request.dlqOffset == first.offset)
        #expect(record.outcome == .pending)

        let back = try TestKafka.lines(try await SagactlProcess.run(["tail", fixture.topic, "--max", "1", "--timeout", "20"]).text)
        try #require(back.count == 1)
        #expect(back[0]["partition"] as? Int == 1)
        let headers = try #require(back[0]["headers"] as? [String: Any])
        #expect(headers["saga-replay-id"] as? String == replayID)
        #expect(headers["message-id"] as? String == first.messageID)
        #expect(!headers.keys.contains { $0.hasPrefix("kafka_dlt-") || $0.hasPrefix("saga-dlt-") })

        let again = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--message-id", first.messageID, "--store", fixture.store])
        #expect(again.status == 1)
        #expect(again.text.contains("refused \(position): already replayed as \(replayID)"))

        let forced = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--offset", position, "--force", "--store", fixture.store,
            "--json"])
        #expect(forced.status == 0, "\(forced.error)")
        let forcedResult = try #require(try TestKafka.lines(forced.text).first)
        #expect(forcedResult["outcome"] as? String == "replayed" && forcedResult["forced"] as? Bool == true, "\(forced.text)")
        #expect(forcedResult["position"] as? String == position)

        // The group of three: one was replayed before, so two go and one is refused.
        let groupID = try #require(try TestKafka.lines(try await SagactlProcess.run(["dlq", "summary", fixture.topic, "--json"]).text).first?["group"] as? String)
        let group = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--group", groupID, "--store", fixture.store])
        #expect(group.status == 1)
        #expect(group.text.split(separator: "\n").filter { $0.hasPrefix("replayed ") }.count == 2)
        #expect(group.text.split(separator: "\n").filter { $0.hasPrefix("refused ") }.count == 1)
        let all = try TestKafka.lines(try await SagactlProcess.run(["tail", fixture.topic, "--max", "4", "--timeout", "20"]).text)
        #expect(all.count == 4)
    }

    @Test func replayWithAnEditedValueValidatesItFirst() async throws {
        let fixture = try await Self.fixture()
        let last = fixture.letters[3]
        let position = "\(last.partition):\(last.offset)"
        let corrected = PublishTailTests.transfer(id: UUID().uuidString.lowercased(), amount: 777, note: "fixed")
        let invalid = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--offset", position, "--store", fixture.store,
                                              "--edit", corrected.replacingOccurrences(of: "\"amountMinor\":777", with: "\"amountMinor\":true")])
        #expect(invalid.status == 2)
        #expect(invalid.error.contains("amount.amountMinor"))

        let edited = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--offset", position, "--store", fixture.store, "--edit", corrected])
        #expect(edited.status == 0, "\(edited.error)")
        let back = try TestKafka.lines(try await SagactlProcess.run(["tail", fixture.topic, "--max", "1", "--timeout", "20"]).text)
        try #require(back.count == 1)
        #expect(((back[0]["value"] as? [String: Any])?["amount"] as? [String: Any])?["amountMinor"] as? Int == 777)
    }

    @Test func replaysShowsEachReplaysLaterOutcome() async throws {
        let fixture = try await Self.fixture()
        let replayed = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--range", "1:0-1", "--store", fixture.store])
        #expect(replayed.status == 0, "\(replayed.error)")
        let ids = replayed.text.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
        try #require(ids.count == 2)
        // What the consuming service records once it processed each replayed message.
        let store = try SQLiteSagaStore(path: fixture.store)
        try await store.finishReplay(replayID: ids[0], outcome: .succeeded, detail: nil, at: Date())
        try await store.finishReplay(replayID: ids[1], outcome: .deadLetteredAgain, detail: "ledger timed out", at: Date())

        let replays = try await SagactlProcess.run(["dlq", "replays", fixture.topic, "--store", fixture.store, "--json"])
        #expect(replays.status == 0, "\(replays.error)")
        let lines = try TestKafka.lines(replays.text)
        try #require(lines.count == 2)
        let byID = Dictionary(uniqueKeysWithValues: lines.map { ($0["replayId"] as? String ?? "", $0) })
        #expect(byID[ids[0]]?["outcome"] as? String == "succeeded")
        #expect(byID[ids[1]]?["outcome"] as? String == "deadLetteredAgain")
        #expect(byID[ids[1]]?["detail"] as? String == "ledger timed out")
        #expect(Set(lines.compactMap { $0["dlqOffset"] as? Int }) == [0, 1])
    }

    /// Dead-letters one record of `topic`/`originalPartition` at `originalOffset`; the letter
    /// goes to the same partition of `topic`.dlq.
    static func deadLetter(
        _ producer: KafkaProducer, topic: String, originalPartition: Int32, originalOffset: Int64
    ) async throws -> KafkaDeliveryReport {
        let original = InboundMessage(
            topic: topic, partition: originalPartition, offset: originalOffset, timestampMilliseconds: 1_763_700_000_000,
            key: Array("key".utf8), value: Array("not avro".utf8),
            headers: [SagaHeader("message-id", "m-\(originalPartition)-\(originalOffset)")])
        let failure = DeadLetterFailure(kind: .nonRetriable, errorType: "Rejected", message: "rejected", attempts: 1)
        let (record, partition) = DeadLetterRecord.make(for: original, failure: failure, group: "g", service: "s", at: Date())
        return try await producer.send(KafkaMessage(record, partition: partition))
    }

    @Test func listOfAnEmptyDLQIsItsHeaderOnly() async throws {
        let topic = try await TestKafka.topic("cli-dlq-empty", partitions: 2)
        let admin = try KafkaAdmin(configuration: try TestKafka.configuration(), logger: TestKafka.quietLogger)
        try await admin.createTopics([KafkaTopicSpecification(name: topic + ".dlq", partitions: 2)])

        let list = try await SagactlProcess.run(["dlq", "list", topic, "--timeout", "120"])
        #expect(list.status == 0, "\(list.error)")
        #expect(list.text.split(separator: "\n").map { $0.hasPrefix("DLQ P:OFFSET") } == [true], "\(list.text)")
        #expect(list.error.contains("0 dead letter(s) on \(topic).dlq"), "\(list.error)")
        let json = try await SagactlProcess.run(["dlq", "list", topic, "--json", "--timeout", "120"])
        #expect(json.status == 0, "\(json.error)")
        #expect(json.text.isEmpty)
    }

    @Test func listShowsTheLettersOfEveryPartitionInPartitionAndOffsetOrder() async throws {
        let topic = try await TestKafka.topic("cli-dlq-many", partitions: 3)
        let admin = try KafkaAdmin(configuration: try TestKafka.configuration(), logger: TestKafka.quietLogger)
        try await admin.createTopics([KafkaTopicSpecification(name: topic + ".dlq", partitions: 3)])
        let producer = try TestKafka.producer()
        var positions: [String] = []
        for (partition, offset) in [(2, 40), (0, 7), (2, 41), (1, 3), (0, 8), (2, 42)] as [(Int32, Int64)] {
            let report = try await Self.deadLetter(producer, topic: topic, originalPartition: partition, originalOffset: offset)
            #expect(report.partition == partition)
            positions.append("\(report.partition):\(report.offset)")
        }
        await producer.shutdown()

        let list = try await SagactlProcess.run(["dlq", "list", topic, "--timeout", "120"])
        #expect(list.status == 0, "\(list.error)")
        let rows = list.text.split(separator: "\n").dropFirst()
        #expect(rows.map { String($0.prefix { $0 != " " }) } == ["0:0", "0:1", "1:0", "2:0", "2:1", "2:2"], "\(list.text)")
        #expect(rows.map { $0.split(separator: " ")[1] } == [
            "\(topic)/0@7", "\(topic)/0@8", "\(topic)/1@3", "\(topic)/2@40", "\(topic)/2@41", "\(topic)/2@42",
        ].map { Substring($0) }, "\(list.text)")
        #expect(Set(positions) == ["0:0", "0:1", "1:0", "2:0", "2:1", "2:2"])
    }

    @Test func anUnreachableEndFailsInsteadOfListingNothing() async throws {
        let fixture = try await Self.fixture()
        // A deadline too short to reach the end: exit 1 naming the topic, never a header-only success.
        let short = try await SagactlProcess.run(["dlq", "list", fixture.topic, "--timeout", "0.001"])
        #expect(short.status == 1, "\(short.text) \(short.error)")
        #expect(short.text.isEmpty, "\(short.text)")
        #expect(short.error.contains("reading \(fixture.topic).dlq failed: KafkaError _TIMED_OUT"), "\(short.error)")

        // A broker that does not answer: the same, by the deadline.
        let address = "127.0.0.1:\(try FreePort.find())"
        for command in [["dlq", "list"], ["dlq", "summary"], ["dlq", "replays"]] {
            let result = try await SagactlProcess.run(command + [fixture.topic, "--bootstrap-servers", address, "--timeout", "2"])
            #expect(result.status == 1, "\(command): \(result.text) \(result.error)")
            #expect(result.text.isEmpty, "\(command): \(result.text)")
            #expect(result.error.contains("within 2.0 s"), "\(command): \(result.error)")
        }
    }
}
