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
import SagaTestSupport
import Testing

/// The dead-letter routes on the real broker: records the orchestrator really dead-lettered
/// (malformed `TransferRequested`s, one written with another contract's schema) listed, grouped,
/// paged and decoded; replayed one, by range, by group and all; one edited into a valid start
/// event, after which its saga runs and the replay reads `succeeded`; every replay audited.
@Suite(.timeLimit(.minutes(5)))
struct DeadLetterRoutesTests {
    /// The world's API with the dead-letter routes of the `all` role.
    static func builder(_ world: APIWorld) throws -> APIRouterBuilder {
        var builder = world.builder
        let services = world.services
        builder.deadLetters = KafkaDeadLetterOperating(
            queue: DeadLetterQueue(configuration: services.kafka, logger: Broker.logger),
            admin: try KafkaAdmin(configuration: services.kafka, logger: Broker.logger),
            publisher: DeadLetterPublisher(producer: services.producer),
            codec: AvroValueCodec(schemas: AvroGeneratedTypes.all.map { $0.avroSchema }),
            trail: services.orchestratorStore, auditTopic: services.topics.audit, sourceTopics: services.topics.all)
        return builder
    }

    /// Publishes three undecodable start events and one written with `BillSettlementRequested`'s schema.
    static func publishBadStarts(_ world: APIWorld) async throws {
        let services = world.services
        for index in 0..<3 {
            _ = try await services.producer.send(KafkaMessage(
                topic: services.topics.transferRequested, key: Array("bad-\(index)".utf8), value: Array("not avro \(index)".utf8),
                headers: [KafkaHeader(name: SagaHeaders.messageType, value: TransferRequested.messageType),
                          KafkaHeader(name: SagaHeaders.messageID, value: UUID().uuidString.lowercased())]))
        }
        let billID = UUID()
        let bill = BillSettlementRequested(
            metadata: MessageMetadata(messageId: UUID(), sagaId: billID, causationId: nil, occurredAt: Date(), source: "test",
                traceParent: nil, replyTo: nil),
            billId: billID, ownerVpa: "olivia@okbank", currency: "INR", shares: [BillShare(payerVpa: "bob@okbank", amountMinor: 1_500)],
            note: nil)
        _ = try await services.producer.send(KafkaMessage(
            topic: services.topics.transferRequested, key: Array("wrong".utf8), value: try AvroSingleObject.encode(bill),
            headers: [KafkaHeader(name: SagaHeaders.messageType, value: TransferRequested.messageType),
                      KafkaHeader(name: SagaHeaders.messageID, value: UUID().uuidString.lowercased())]))
    }

    /// Avro JSON of a `TransferRequested`.
    static func transfer(_ id: UUID, payer: String, payee: String, amount: String) -> String {
        let text = id.uuidString.lowercased()
        return #"{"metadata":{"messageId":"\#(UUID().uuidString.lowercased())","sagaId":"\#(text)","causationId":null,"occurredAt":1763700000000,"#
            + #""source":"ops","traceParent":null,"replyTo":null},"transferId":"\#(text)","payerVpa":"\#(payer)","payeeVpa":"\#(payee)","#
            + #""amount":{"amountMinor":\#(amount),"currency":"INR"},"note":null}"#
    }

    static func array(_ reply: JSONReply, _ member: String) -> [JSONValue] {
        if case .array(let items)? = reply.json?[member] { items } else { [] }
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { text } else { nil }
    }

    @Test func deadLettersAreListedPagedReplayedEditedAndAudited() async throws {
        try await APIWorld.with { world in
            let services = world.services
            try await services.accounts.open(vpa: "dora@okbank", holder: "Dora")
            try await services.accounts.open(vpa: "eve@upibank", holder: "Eve")
            try await services.accounts.deposit(vpa: "dora@okbank", amountMinor: 50_000)
            let dlq = services.topics.transferRequested + ".dlq"
            try await Self.publishBadStarts(world)
            try await application(try Self.builder(world).router()).test(.router) { client in
                var letters: [JSONValue] = []
                try await eventually("4 dead letters on \(dlq)", within: 90) {
                    letters = Self.array(try await client.get("/dead-letters/letters?topic=\(dlq)"), "letters")
                    return letters.count == 4
                }
                // Topics and groups.
                let topics = try await client.get("/dead-letters/topics")
                #expect(topics.status == .ok, "\(topics.text)")
                let entry = Self.array(topics, "topics").first { $0["topic"] == .string(dlq) }
                #expect(entry?["count"] == .integer(4) && entry?["source"] == .string(services.topics.transferRequested), "\(topics.text)")
                // Only this system's dead-letter topics, not those of the other tests sharing the broker.
                let ours = Set(services.topics.all.map { DeadLetterRecord.topic(for: $0) })
                #expect(Self.array(topics, "topics").allSatisfy { ours.contains(Self.string($0["topic"]) ?? "") }, "\(topics.text)")
                let groups = Self.array(try await client.get("/dead-letters/groups?topic=\(dlq)"), "groups")
                #expect(groups.count == 2, "\(groups)")
                #expect(groups.first?["count"] == .integer(3) && groups.last?["count"] == .integer(1), "\(groups)")
                let malformedGroup = try #require(Self.string(groups.first?["id"]))
                let wrongGroup = try #require(Self.string(groups.last?["id"]))
                #expect(try await client.get("/dead-letters/groups?topic=\(dlq)").json?["next"] == .null)
                // Groups page too: one per page, largest first, then no next; a bad cursor is a 400.
                let firstGroup = try await client.get("/dead-letters/groups?topic=\(dlq)&limit=1")
                let groupCursor = try #require(firstGroup.string("next"), "\(firstGroup.text)")
                #expect(Self.array(firstGroup, "groups").map { $0["id"] } == [.string(malformedGroup)], "\(firstGroup.text)")
                let secondGroup = try await client.get("/dead-letters/groups?topic=\(dlq)&limit=1&cursor=\(groupCursor)")
                #expect(Self.array(secondGroup, "groups").map { $0["id"] } == [.string(wrongGroup)] && secondGroup.json?["next"] == .null,
                    "\(secondGroup.text)")
                #expect(try await client.get("/dead-letters/groups?topic=\(dlq)&cursor=-1").isProblem(.badRequest, type: .invalidRequest))

                // Decoding: the malformed ones say why not; the wrong-schema one decodes as what it is.
                let malformed = letters.filter { $0["group"] == .string(malformedGroup) }
                #expect(malformed.count == 3)
                #expect(malformed.allSatisfy { $0["value"] == .null && Self.string($0["decodeError"])?.contains("not an Avro") == true
                    && Self.string($0["valueBase64"]) != nil }, "\(malformed)")
                let wrong = try #require(letters.first { $0["group"] == .string(wrongGroup) })
                #expect(wrong["value"]?["billId"] != nil && wrong["decodeError"] == nil, "\(wrong)")
                #expect(Self.string(wrong["headers"]?[DeadLetterHeaders.originalTopic]) == services.topics.transferRequested)
                #expect(wrong["sourceTopic"] == .string(services.topics.transferRequested) && Self.string(wrong["cause"]) != nil)

                // Paging: 3, then 1 and no next; a bad cursor and a bad limit are 400s.
                let first = try await client.get("/dead-letters/letters?topic=\(dlq)&limit=3")
                let next = try #require(first.string("next"), "\(first.text)")
                #expect(Self.array(first, "letters").count == 3)
                let second = try await client.get("/dead-letters/letters?topic=\(dlq)&limit=3&cursor=\(next)")
                #expect(Self.array(second, "letters").count == 1 && second.json?["next"] == .null, "\(second.text)")
                #expect(try await client.get("/dead-letters/letters?topic=\(dlq)&cursor=x").isProblem(.badRequest, type: .invalidRequest))
                #expect(try await client.get("/dead-letters/letters?topic=\(dlq)&limit=501").isProblem(.badRequest, type: .invalidRequest))
                #expect(Self.array(try await client.get("/dead-letters/letters?topic=\(dlq)&group=\(wrongGroup)"), "letters").count == 1)
                let wrongID = try #require(Self.string(wrong["id"]))
                let one = try await client.get("/dead-letters/letters/\(wrongID)")
                #expect(one.status == .ok && one.string("id") == wrongID, "\(one.text)")
                #expect(try await client.get("/dead-letters/letters/\(dlq):0:999").isProblem(.notFound, type: .notFound))

                // Access: no token 401, a viewer may not replay.
                #expect(try await client.get("/dead-letters/topics", token: nil).isProblem(.unauthorized, type: .unauthorized))
                let viewerReplay = try await client.post("/dead-letters/replays", #"{"topic":"\#(dlq)","all":true}"#, token: TestTokens.viewer)
                #expect(viewerReplay.isProblem(.forbidden, type: .forbidden), "\(viewerReplay.text)")

                // A bad edit is a 422 naming the field; nothing is replayed.
                let badEdit = try await client.post("/dead-letters/letters/\(wrongID)/edit-and-replay",
                    #"{"value":\#(Self.transfer(UUID(), payer: "dora@okbank", payee: "eve@upibank", amount: #""lots""#)),"note":"typo"}"#,
                    token: TestTokens.operator)
                #expect(badEdit.isProblem(.unprocessableContent, type: .valueDoesNotFitSchema), "\(badEdit.text)")
                #expect(badEdit.fieldErrors.first?.hasPrefix("value.amount") == true, "\(badEdit.text)")

                // The edit that fixes it: the saga runs, and the replay reads succeeded.
                let transferID = UUID()
                let edited = try await client.post("/dead-letters/letters/\(wrongID)/edit-and-replay",
                    #"{"value":\#(Self.transfer(transferID, payer: "dora@okbank", payee: "eve@upibank", amount: "2500")),"note":"OPS-9"}"#,
                    token: TestTokens.operator)
                #expect(edited.status == .ok && edited.string("outcome") == "pending", "\(edited.text)")
                let editReplay = try #require(edited.string("replayId"))
                #expect(try await services.waitForEnd(of: transferID).status == .completed)
                try await eventually("the edited replay to read succeeded", within: 60) {
                    Self.array(try await client.get("/dead-letters/replays?topic=\(dlq)"), "replays")
                        .first { $0["replayId"] == .string(editReplay) }?["outcome"] == .string("succeeded")
                }

                // Replays: one, a range, a group, all. The malformed ones fail again.
                let ids = malformed.compactMap { Self.string($0["id"]) }
                let single = try await client.post("/dead-letters/replays", #"{"topic":"\#(dlq)","letters":["\#(ids[0])"],"note":"one"}"#,
                    token: TestTokens.operator)
                #expect(single.json?["replayed"] == .integer(1), "\(single.text)")
                let onceAgain = try #require(Self.string(Self.array(single, "letters").first?["replayId"]))
                let offsets = malformed.compactMap { if case .integer(let offset)? = $0["offset"] { offset } else { nil } }
                let range = try await client.post("/dead-letters/replays",
                    #"{"topic":"\#(dlq)","partition":0,"fromOffset":\#(offsets[0]),"toOffset":\#(offsets[1])}"#, token: TestTokens.operator)
                #expect(range.json?["replayed"] == .integer(2), "\(range.text)")
                let group = try await client.post("/dead-letters/replays", #"{"topic":"\#(dlq)","group":"\#(malformedGroup)"}"#,
                    token: TestTokens.operator)
                // Replays that failed again are letters of the same cause by now: at least the first three.
                #expect(Self.array(group, "letters").count >= 3 && group.json?["replayed"] == .integer(Int64(Self.array(group, "letters").count)),
                    "\(group.text)")
                let all = try await client.post("/dead-letters/replays", #"{"topic":"\#(dlq)","all":true}"#, token: TestTokens.operator)
                #expect(Self.array(all, "letters").count >= 4, "\(all.text)")
                let unknownGroup = try await client.post("/dead-letters/replays", #"{"topic":"\#(dlq)","group":"ffffffff"}"#,
                    token: TestTokens.operator)
                #expect(unknownGroup.isProblem(.notFound, type: .notFound), "\(unknownGroup.text)")
                let twoWays = try await client.post("/dead-letters/replays", #"{"topic":"\#(dlq)","group":"x","all":true}"#,
                    token: TestTokens.operator)
                #expect(twoWays.isProblem(.badRequest, type: .invalidRequest), "\(twoWays.text)")
                try await eventually("the single replay to be dead-lettered again", within: 60) {
                    Self.array(try await client.get("/dead-letters/replays?topic=\(dlq)"), "replays")
                        .first { $0["replayId"] == .string(onceAgain) }?["outcome"] == .string("deadLetteredAgain")
                }
                let replays = Self.array(try await client.get("/dead-letters/replays?topic=\(dlq)"), "replays")
                #expect(replays.first { $0["replayId"] == .string(editReplay) }?["actor"] == .string("test-operator"))
                #expect(replays.first { $0["replayId"] == .string(editReplay) }?["letterId"] == .string(wrongID))
            }
            // Every replay and the edit are in the audit trail, under the operator's name.
            let entries = try await services.orchestratorStore.auditEntries(before: nil, target: nil, limit: 100)
            let edits = entries.filter { $0.action == .dlqEditAndReplay }
            #expect(edits.count == 1 && edits.first?.target.hasPrefix(services.topics.transferRequested + ".dlq:") == true)
            #expect(entries.filter { $0.action == .dlqReplay }.count >= 1 + 2 + 3 + 4)
            #expect(entries.allSatisfy { $0.actor == "test-operator" && $0.outcome == .applied })
            #expect(entries.first { $0.action == .dlqEditAndReplay }?.note == "OPS-9")
        }
    }

    @Test func theAPIRoleForwardsDeadLetterRoutesToTheOrchestratorRoleWithTheCallersToken() async throws {
        try await APIWorld.with { world in
            let dlq = world.services.topics.transferRequested + ".dlq"
            try await Self.publishBadStarts(world)
            var orchestratorRole = try Self.builder(world)
            orchestratorRole.orders = nil
            orchestratorRole.transfers = nil
            orchestratorRole.bills = nil
            try await application(orchestratorRole.router()).test(.live) { upstreamClient in
                let upstream = try Upstream(name: "orchestrator", baseURL: "http://127.0.0.1:\(try #require(upstreamClient.port))", client: .shared,
                    timeout: .seconds(60))
                let api = APIRouterBuilder(authentication: TestTokens.authentication, deadLetters: RemoteDeadLetterOperating(upstream: upstream))
                try await application(api.router()).test(.router) { client in
                    var letters: [JSONValue] = []
                    try await eventually("4 dead letters on \(dlq)", within: 90) {
                        letters = Self.array(try await client.get("/dead-letters/letters?topic=\(dlq)"), "letters")
                        return letters.count == 4
                    }
                    #expect(try await client.get("/dead-letters/groups?topic=\(dlq)").json
                        == (try await upstreamClient.get("/dead-letters/groups?topic=\(dlq)")).json)
                    #expect(try await client.get("/dead-letters/letters/\(dlq):0:999").isProblem(.notFound, type: .notFound))
                    let id = try #require(Self.string(letters.first?["id"]))
                    #expect(try await client.get("/dead-letters/letters/\(id)").string("id") == id)
                    let refused = try await client.post("/dead-letters/replays", #"{"topic":"\#(dlq)","letters":["\#(id)"]}"#, token: TestTokens.viewer)
                    #expect(refused.isProblem(.forbidden, type: .forbidden), "\(refused.text)")
                    let replayed = try await client.post("/dead-letters/replays", #"{"topic":"\#(dlq)","letters":["\#(id)"],"note":"via api"}"#,
                        token: TestTokens.operator)
                    #expect(replayed.json?["replayed"] == .integer(1), "\(replayed.text)")
                    #expect(Self.array(replayed, "letters").first?["audit"]?["actor"] == .string("test-operator"), "\(replayed.text)")
                    let badEdit = try await client.post("/dead-letters/letters/\(id)/edit-and-replay", #"{"value":{"transferId":1}}"#,
                        token: TestTokens.operator)
                    #expect(badEdit.isProblem(.unprocessableContent, type: .valueDoesNotFitSchema), "\(badEdit.text)")
                }
            }
        }
    }
}
