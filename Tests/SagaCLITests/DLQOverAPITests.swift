import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import SagaAPI
import SagaAvro
import SagaContracts
import SagaCore
import SagaKafka
import SagaSQLite
import Testing

/// `sagactl dlq list|summary|replay|replays --url`: the same DLQ as ``DLQTests`` read and replayed
/// through the HTTP API served live in this process (a viewer token reads, an operator token
/// replays); sagactl gets no broker address and no store file.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DLQOverAPITests {
    static let viewer = AccessToken.generate(name: "dlq-viewer", role: .viewer)
    static let operatorToken = AccessToken.generate(name: "dlq-operator", role: .operator)

    @Test func listSummaryReplayAndReplaysGoThroughTheAPI() async throws {
        let fixture = try await DLQTests.fixture(originalsOnTopic: true)
        let store = try SQLiteSagaStore(path: fixture.store)
        let kafka = try TestKafka.configuration()
        let producer = try TestKafka.producer()
        let router = APIRouterBuilder(
            authentication: .required(try AccessTokens([Self.viewer.entry, Self.operatorToken.entry])),
            deadLetters: KafkaDeadLetterOperating(
                queue: DeadLetterQueue(configuration: kafka, logger: TestKafka.quietLogger),
                admin: try KafkaAdmin(configuration: kafka, logger: TestKafka.quietLogger),
                publisher: DeadLetterPublisher(producer: producer),
                codec: AvroValueCodec(schemas: AvroGeneratedTypes.all.map { $0.avroSchema }),
                trail: store, auditTopic: nil)
        ).router()
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))"
            // No broker address reaches sagactl: only the API's.
            let asViewer = ["SAGA_URL": url, "SAGA_TOKEN": Self.viewer.token, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"]
            let asOperator = ["SAGA_URL": url, "SAGA_TOKEN": Self.operatorToken.token, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"]

            let listed = try await SagactlProcess.run(["dlq", "list", fixture.topic, "--json"], environment: asViewer)
            #expect(listed.status == 0, "\(listed.error)")
            let letters = try TestKafka.lines(listed.text)
            try #require(letters.count == 4)
            #expect(letters.map { $0["offset"] as? Int } == fixture.letters.map { Int($0.offset) })
            #expect(((letters[0]["value"] as? [String: Any])?["amount"] as? [String: Any])?["amountMinor"] as? Int == 100)
            let table = try await SagactlProcess.run(["dlq", "list", fixture.topic], environment: asViewer)
            #expect(table.text.split(separator: "\n").count == 5 && table.text.contains("\(fixture.topic)/1@10"), "\(table.text)")

            let summary = try TestKafka.lines(try await SagactlProcess.run(["dlq", "summary", fixture.topic, "--json"], environment: asViewer).text)
            #expect(summary.map { $0["count"] as? Int } == [3, 1])
            let group = try #require(summary.first?["id"] as? String)

            let refused = try await SagactlProcess.run(["dlq", "replay", fixture.topic, "--group", group], environment: asViewer)
            #expect(refused.status == 1 && refused.error.contains("403"), "\(refused.error)")

            let replayed = try await SagactlProcess.run(
                ["dlq", "replay", fixture.topic, "--group", group, "--note", "gateway fixed", "--json"], environment: asOperator)
            #expect(replayed.status == 0, "\(replayed.error)")
            let results = try TestKafka.lines(replayed.text)
            #expect(results.count == 3 && results.allSatisfy { $0["outcome"] as? String == "pending" }, "\(replayed.text)")

            let last = fixture.letters[3]
            let edit = PublishTailTests.transfer(id: UUID().uuidString.lowercased(), amount: 777, note: nil)
            let edited = try await SagactlProcess.run(
                ["dlq", "replay", fixture.topic, "--offset", "\(last.partition):\(last.offset)", "--edit", edit, "--json"], environment: asOperator)
            #expect(edited.status == 0, "\(edited.error)")
            #expect(try TestKafka.lines(edited.text).first?["outcome"] as? String == "pending", "\(edited.text)")
            let badEdit = try await SagactlProcess.run(
                ["dlq", "replay", fixture.topic, "--offset", "\(last.partition):\(last.offset)", "--edit", #"{"transferId":1}"#],
                environment: asOperator)
            #expect(badEdit.status == 1 && badEdit.error.contains("422"), "\(badEdit.error)")

            let replays = try TestKafka.lines(try await SagactlProcess.run(["dlq", "replays", fixture.topic, "--json"], environment: asViewer).text)
            #expect(replays.count == 4, "\(replays)")
            #expect(Set(replays.compactMap { $0["replayId"] as? String })
                == Set((results.compactMap { $0["replayId"] as? String }) + [try TestKafka.lines(edited.text).first?["replayId"] as? String ?? ""]))
            #expect(replays.allSatisfy { $0["actor"] as? String == "dlq-operator" && $0["outcome"] as? String == "pending" }, "\(replays)")
        }
        await producer.shutdown()
        let entries = try await store.auditEntries(before: nil, target: nil, limit: 10)
        #expect(entries.filter { $0.action == .dlqReplay }.count == 3)
        #expect(entries.filter { $0.action == .dlqEditAndReplay }.count == 1)
        #expect(entries.allSatisfy { $0.actor == "dlq-operator" } && entries.contains { $0.note == "gateway fixed" })
    }
}
