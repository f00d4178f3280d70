import Avro
import Foundation
import SagaContracts
import SagaCore
import SagaSQLite
import Testing

/// `sagactl saga timeline ID --store FILE`: a saga's timeline read from a local orchestrator
/// store, as text and as JSON, payloads decoded with the contracts.
@Suite struct TimelineCommandTests {
    @Test func theTimelineOfALocalStoreIsShownAsTextAndJSONWithPayloadsDecoded() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sagactl-\(UUID().uuidString).sqlite").path
        let store = try SQLiteSagaStore(path: path)
        let id = UUID().uuidString.lowercased()
        let t0 = StatusTests.t0
        let money = try AvroSingleObject.encode(Money(amountMinor: 10050, currency: "INR"))
        try await StatusTests.commit(store, SagaCommit(
            saga: .insert(StatusTests.state(id, type: "transfer", status: .running, step: 0, created: t0, data: [])), sagaID: id,
            timeline: [
                SagaTimelineEntry(at: t0, kind: .command, step: "debitPayer", attempt: 1, topic: "account.commands",
                    messageType: "com.swiftsaga.common.Money", messageID: "c1", payload: money),
                SagaTimelineEntry(at: t0.addingTimeInterval(1), kind: .reply, topic: "transfer.replies", messageType: "x.Unknown",
                    messageID: "r1", causationID: "c1", payload: [0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 2], outcome: "businessFailure",
                    detail: "NO_FUNDS"),
            ]))
        try store.pool.close()

        let text = try await SagactlProcess.run(["saga", "timeline", id, "--store", path])
        #expect(text.status == 0, "\(text.error)")
        let lines = text.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "saga   \(id)" && lines.contains("state  running"), "\(text.text)")
        let command = try #require(lines.first { $0.hasPrefix("1 ") }, "\(text.text)")
        #expect(command.contains("command") && command.contains("debitPayer#1") && command.contains("Money"), "\(command)")
        #expect(command.contains(#""amountMinor":10050"#), "\(command)")
        let reply = try #require(lines.first { $0.hasPrefix("2 ") }, "\(text.text)")
        #expect(reply.contains("debitPayer#1") && reply.contains("businessFailure") && reply.contains("undecodable"), "\(reply)")

        let json = try await SagactlProcess.run(["saga", "timeline", id, "--store", path, "--json"])
        #expect(json.status == 0, "\(json.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output)) as? [String: Any])
        #expect(object["sagaId"] as? String == id && object["state"] as? String == "running")
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.map { $0["kind"] as? String } == ["command", "reply"])
        #expect((entries[0]["payload"] as? [String: Any])?["currency"] as? String == "INR")
        #expect(entries[1]["payload"] is NSNull && (entries[1]["payloadError"] as? String)?.isEmpty == false)
        #expect(entries[1]["step"] as? String == "debitPayer" && entries[1]["detail"] as? String == "NO_FUNDS")

        let unknown = try await SagactlProcess.run(["saga", "timeline", UUID().uuidString.lowercased(), "--store", path])
        #expect(unknown.status == 1 && unknown.error.contains("no saga"), "\(unknown.error)")
    }
}
