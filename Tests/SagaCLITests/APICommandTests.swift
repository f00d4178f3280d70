import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import SagaAPI
import SagaCore
import SagaSQLite
import SagaTestSupport
import Testing

/// `sagactl status`, `sagas` and `saga retry|resolve|audit` over the HTTP API (`--url`/`SAGA_URL`,
/// `SAGA_TOKEN`): the API served live in this process over a real SQLite store whose sagas the
/// orchestrator core parked; no database file reaches sagactl.
@Suite(.timeLimit(.minutes(2)))
struct APICommandTests {
    static let viewer = AccessToken.generate(name: "cli-viewer", role: .viewer)
    static let operatorToken = AccessToken.generate(name: "cli-operator", role: .operator)

    /// An orchestrator over a scratch store with two sagas parked after their pivot.
    struct World {
        let directory: TemporaryDirectory
        let store: SQLiteSagaStore
        let orchestrator: SagaOrchestrator
        var parked: [String] = []

        init() async throws {
            directory = try TemporaryDirectory()
            store = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
            orchestrator = SagaOrchestrator(
                registry: try SagaRegistry(definitions: [Fixtures.orderSaga()]), store: store, lifecycleEncoder: JSONLifecycleEncoder())
            for _ in 0..<2 { parked.append(try await park()) }
        }

        func answer(_ sagaID: String, _ status: ReplyStatus, _ payload: (any SagaPayloadCodable)? = nil) async throws {
            let request = try #require(try await store.load(sagaID: sagaID)?.pendingRequestID)
            let encoded = try payload.map { try EncodedPayload($0) }
            _ = try await orchestrator.handle(reply: StepReply(messageID: UUID().uuidString, causationID: request, sagaID: sagaID,
                status: status, reason: status == .succeeded ? nil : "refused", messageType: encoded?.messageType ?? "",
                payload: encoded?.payload ?? []), inbox: nil)
        }

        func park() async throws -> String {
            let id = UUID().uuidString.lowercased()
            _ = try await orchestrator.start(sagaType: "order", sagaID: id, data: OrderData(orderID: id, amount: 10))
            try await answer(id, .succeeded, TestReservation(reservationID: "res"))
            try await answer(id, .succeeded)
            try await answer(id, .succeeded)
            try await answer(id, .businessFailure)
            return id
        }

        var router: Router<BasicRequestContext> {
            APIRouterBuilder(
                authentication: .required((try? AccessTokens([APICommandTests.viewer.entry, APICommandTests.operatorToken.entry]))!),
                sagas: LocalSagaQuerying(store: store),
                operating: LocalSagaOperating(orchestrator: orchestrator, trail: store, auditTopic: nil)
            ).router()
        }
    }

    @Test func statusSagasRetryResolveAndAuditGoThroughTheAPIWithTheTokensRole() async throws {
        let world = try await World()
        let (first, second) = (world.parked[0], world.parked[1])
        let app = Application(router: world.router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))"
            let asViewer = ["SAGA_URL": url, "SAGA_TOKEN": Self.viewer.token]
            let asOperator = ["SAGA_URL": url, "SAGA_TOKEN": Self.operatorToken.token]

            let status = try await SagactlProcess.run(["status", first], environment: asViewer)
            #expect(status.status == 0, "\(status.error)")
            #expect(status.text.contains("state    failed (phase forward, step shipOrder, attempt"), "\(status.text)")
            let listed = try await SagactlProcess.run(["sagas", "--url", url, "--state", "failed", "--json"], environment: ["SAGA_TOKEN": Self.viewer.token])
            #expect(listed.status == 0, "\(listed.error)")
            let ids = listed.text.split(separator: "\n").compactMap { try? JSONValue(parsing: Array($0.utf8))["sagaId"] }
            #expect(Set(ids) == [.string(first), .string(second)], "\(listed.text)")

            // A viewer cannot retry: refused with the role it needs, and nothing changed.
            let refused = try await SagactlProcess.run(["saga", "retry", first], environment: asViewer)
            #expect(refused.status == 1 && refused.error.contains("403") && refused.error.contains("operator"), "\(refused.error)")
            #expect(try await world.store.load(sagaID: first)?.status == .failed)
            // No token: a 401 and how to get one.
            let anonymous = try await SagactlProcess.run(["status", first, "--url", url], environment: ["SAGA_TOKEN": ""])
            #expect(anonymous.status == 1 && anonymous.error.contains("401") && anonymous.error.contains("SAGA_TOKEN"), "\(anonymous.error)")

            let retried = try await SagactlProcess.run(["saga", "retry", first], environment: asOperator)
            #expect(retried.status == 0, "\(retried.error)")
            #expect(retried.text.contains("saga \(first): saga.retry applied (now running), audit #1 by cli-operator"), "\(retried.text)")
            let resolved = try await SagactlProcess.run(["saga", "resolve", second, "--note", "shipped by hand", "--json"], environment: asOperator)
            #expect(resolved.status == 0, "\(resolved.error)")
            #expect(try JSONValue(parsing: resolved.output)["outcome"] == .string("applied"))
            #expect(try await world.store.load(sagaID: second)?.status == .completed)
            let again = try await SagactlProcess.run(["saga", "resolve", second, "--note", "twice"], environment: asOperator)
            #expect(again.status == 1 && again.error.contains("409") && again.error.contains("is completed"), "\(again.error)")

            // The retried saga's timeline over HTTP: the operator's retry, then the command it sent again.
            let timeline = try await SagactlProcess.run(["saga", "timeline", first, "--json"], environment: asViewer)
            #expect(timeline.status == 0, "\(timeline.error)")
            guard case .array(let steps)? = try JSONValue(parsing: timeline.output)["entries"] else {
                Issue.record("no entries: \(timeline.text)")
                return
            }
            let retry = try #require(steps.firstIndex { $0["kind"] == .string("operator") }, "\(timeline.text)")
            #expect(steps[retry]["messageType"] == .string("saga.retry") && steps[retry]["outcome"] == .string("applied"))
            #expect(steps[retry + 1]["kind"] == .string("command") && steps[retry + 1]["step"] == .string("shipOrder"), "\(timeline.text)")
            let text = try await SagactlProcess.run(["saga", "timeline", first], environment: asViewer)
            #expect(text.status == 0 && text.text.contains("saga.retry") && text.text.contains("shipOrder#"), "\(text.text)")

            let audit = try await SagactlProcess.run(["saga", "audit", "--limit", "1", "--all", "--json"], environment: asViewer)
            #expect(audit.status == 0, "\(audit.error)")
            let entries = audit.text.split(separator: "\n").map { try? JSONValue(parsing: Array($0.utf8)) }
            #expect(entries.map { $0?["action"] } == [.string("saga.resolve"), .string("saga.resolve"), .string("saga.retry")], "\(audit.text)")
            #expect(entries.map { $0?["outcome"] } == [.string("ignored"), .string("applied"), .string("applied")])
            #expect(entries[1]?["note"] == .string("shipped by hand") && entries[1]?["actor"] == .string("cli-operator"))

            // Past the retention of finished sagas the resolved one is a tombstone: its status, over
            // HTTP and from the store, still says how it ended, and when its details went.
            #expect(try await world.store.purgeFinished(startedBefore: Date().addingTimeInterval(60), limit: 10) == 1)
            let removed = try await SagactlProcess.run(["status", second], environment: asViewer)
            #expect(removed.status == 0, "\(removed.error)")
            #expect(removed.text.contains("state    completed\n") && removed.text.contains("removed  20"), "\(removed.text)")
            let removedJSON = try JSONValue(parsing: try await SagactlProcess.run(["status", second, "--json"], environment: asViewer).output)
            #expect(removedJSON["state"] == .string("completed") && removedJSON["history"] == nil, "\(removedJSON)")
            guard case .string? = removedJSON["detailsRemovedAt"] else { Issue.record("no detailsRemovedAt: \(removedJSON)"); return }
            let local = try await SagactlProcess.run(["status", second, "--store", world.store.path])
            #expect(local.status == 0 && local.text.contains("removed  20"), "\(local.text) \(local.error)")
            let timelineGone = try await SagactlProcess.run(["saga", "timeline", second], environment: asViewer)
            #expect(timelineGone.status == 1 && timelineGone.error.contains("404"), "\(timelineGone.error)")
        }
    }

    @Test func authTokenPrintsATokenAndTheEntryThatAcceptsIt() async throws {
        let made = try await SagactlProcess.run(["auth", "token", "--role", "viewer", "--name", "alice", "--json"])
        #expect(made.status == 0, "\(made.error)")
        let json = try JSONValue(parsing: made.output)
        guard case .string(let token)? = json["token"], case .string(let entry)? = json["entry"] else {
            Issue.record("no token or entry: \(made.text)")
            return
        }
        #expect(entry.hasPrefix("alice:viewer:"))
        #expect(try AccessTokens(parsing: entry).holder(of: token)?.name == "alice")
        let bad = try await SagactlProcess.run(["auth", "token", "--role", "admin"])
        #expect(bad.status == 64, "\(bad.error)")
    }
}
