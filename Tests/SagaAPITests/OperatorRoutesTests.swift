import Avro
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SagaAPI
import SagaCore
import SagaSQLite
import SagaTestSupport
import Testing

/// Retry and resolve of parked sagas over HTTP, each recorded in the audit trail (and its
/// audit-topic record in the outbox): the orchestrator core over a real SQLite store, driven by
/// replies written here, without a broker.
@Suite(.timeLimit(.minutes(1)))
struct OperatorRoutesTests {
    let directory: TemporaryDirectory
    let store: SQLiteSagaStore
    let orchestrator: SagaOrchestrator
    static let auditTopic = "ops-tests.saga.audit"

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        orchestrator = SagaOrchestrator(
            registry: try SagaRegistry(definitions: [Fixtures.orderSaga()]), store: store, lifecycleEncoder: JSONLifecycleEncoder()
        )
    }

    var builder: APIRouterBuilder {
        APIRouterBuilder(
            authentication: TestTokens.authentication, sagas: LocalSagaQuerying(store: store),
            operating: LocalSagaOperating(orchestrator: orchestrator, trail: store, auditTopic: Self.auditTopic)
        )
    }

    /// Answers the saga's pending request with `status`.
    func answer(_ sagaID: String, _ status: ReplyStatus, _ payload: (any SagaPayloadCodable)? = nil) async throws {
        let request = try #require(try await store.load(sagaID: sagaID)?.pendingRequestID)
        let encoded = try payload.map { try EncodedPayload($0) }
        let reply = StepReply(messageID: UUID().uuidString, causationID: request, sagaID: sagaID, status: status,
            reason: status == .succeeded ? nil : "the carrier refused", messageType: encoded?.messageType ?? "", payload: encoded?.payload ?? [])
        _ = try await orchestrator.handle(reply: reply, inbox: nil)
    }

    /// A saga parked after its pivot: shipOrder failed for a business reason.
    func parkedSaga() async throws -> String {
        let id = UUID().uuidString.lowercased()
        _ = try await orchestrator.start(sagaType: "order", sagaID: id, data: OrderData(orderID: id, amount: 10))
        try await answer(id, .succeeded, TestReservation(reservationID: "res"))
        try await answer(id, .succeeded)
        try await answer(id, .succeeded)
        try await answer(id, .businessFailure)
        #expect(try await store.load(sagaID: id)?.status == .failed)
        return id
    }

    func post(_ client: any TestClientProtocol, _ uri: String, _ body: String = "{}", token: String? = TestTokens.operator) async throws -> JSONReply {
        try await client.post(uri, body, token: token)
    }

    @Test func anOperatorRetriesAndResolvesParkedSagasAndEveryActionIsAudited() async throws {
        let retried = try await parkedSaga(), resolved = try await parkedSaga()
        try await application(builder.router()).test(.router) { client in
            let retry = try await post(client, "/sagas/\(retried)/retry")
            #expect(retry.status == .ok, "\(retry.text)")
            #expect(retry.string("outcome") == "applied" && retry.string("state") == "running", "\(retry.text)")
            #expect(retry.json?["audit"]?["actor"] == .string("test-operator"))
            try await answer(retried, .succeeded)
            #expect(try await store.load(sagaID: retried)?.status == .completed)

            // Resolve needs a note; without one nothing happens and nothing is recorded.
            let noNote = try await post(client, "/sagas/\(resolved)/resolve", #"{"note":"  "}"#)
            #expect(noNote.isProblem(.badRequest, type: .invalidRequest) && noNote.fieldErrors == ["note"], "\(noNote.text)")
            #expect(try await store.load(sagaID: resolved)?.status == .failed)
            let resolve = try await post(client, "/sagas/\(resolved)/resolve", #"{"note":"shipped by hand, ticket OPS-7"}"#)
            #expect(resolve.status == .ok && resolve.string("outcome") == "applied", "\(resolve.text)")
            #expect(try await store.load(sagaID: resolved)?.status == .completed)

            // Not parked any more: a 409 naming its state, recorded as ignored.
            let again = try await post(client, "/sagas/\(retried)/retry")
            #expect(again.isProblem(.conflict, type: .sagaNotParked) && again.string("state") == "completed", "\(again.text)")
            let unknown = try await post(client, "/sagas/\(UUID().uuidString)/retry")
            #expect(unknown.isProblem(.notFound, type: .notFound), "\(unknown.text)")

            // Only an operator may act; a viewer reads the trail, a producer does not.
            let byViewer = try await post(client, "/sagas/\(retried)/retry", token: TestTokens.viewer)
            #expect(byViewer.isProblem(.forbidden, type: .forbidden), "\(byViewer.text)")
            #expect(try await client.get("/audit", token: TestTokens.producer).isProblem(.forbidden, type: .forbidden))

            let trail = try await client.get("/audit?limit=2")
            #expect(trail.status == .ok, "\(trail.text)")
            guard case .array(let newest)? = trail.json?["entries"], case .string(let cursor)? = trail.json?["next"] else {
                Issue.record("no entries or cursor: \(trail.text)")
                return
            }
            #expect(newest.map { $0["outcome"] } == [.string("failed"), .string("ignored")])
            let older = try await client.get("/audit?limit=2&cursor=\(cursor)")
            guard case .array(let rest)? = older.json?["entries"] else {
                Issue.record("no entries: \(older.text)")
                return
            }
            #expect(rest.map { $0["action"] } == [.string("saga.resolve"), .string("saga.retry")], "\(older.text)")
            #expect(rest[0]["note"] == .string("shipped by hand, ticket OPS-7") && rest[0]["target"] == .string(resolved))
            let oldest = rest.last?["sequence"]?.integerText ?? ""
            #expect(older.json?["next"] == .string(oldest))
            let last = try await client.get("/audit?limit=2&cursor=\(oldest)")
            #expect(last.json?["entries"] == .array([]) && last.json?["next"] == .null, "\(last.text)")
            let aboutOne = try await client.get("/audit?target=\(resolved)")
            #expect(aboutOne.json?["entries"].map { if case .array(let items) = $0 { items.count } else { -1 } } == 1, "\(aboutOne.text)")
        }
        // Each entry went to the outbox for the audit topic, keyed by its saga, in the same transaction.
        let audit = try await store.pendingOutbox(limit: 1_000).map(\.message).filter { $0.topic == Self.auditTopic }
        #expect(audit.count == 4)
        #expect(audit.first.map { String(decoding: $0.key, as: UTF8.self) } == retried)
        #expect(audit.first?.headers.string(SagaHeaders.messageType) == AuditEntry.messageType)
        let first = try JSONValue(parsing: try #require(audit.first).value)
        #expect(first["action"] == .string("saga.retry") && first["actor"] == .string("test-operator"))
    }

    @Test func anActionAndItsAuditEntryAreCommittedTogetherOrNotAtAll() async throws {
        let id = try await parkedSaga()
        let outboxBefore = try await store.pendingOutbox(limit: 1_000).count
        // The audit trail refuses every entry: the retry must not take effect without its entry.
        try await store.pool.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_trail BEGIN SELECT RAISE(ABORT, 'audit refused'); END")
        }
        try await application(builder.router()).test(.router) { client in
            let refused = try await post(client, "/sagas/\(id)/retry")
            #expect(refused.isProblem(.internalServerError, type: .internalError), "\(refused.text)")
            #expect(refused.text.contains("audit refused"), "\(refused.text)")
        }
        #expect(try await store.load(sagaID: id)?.status == .failed, "the saga stays parked")
        #expect(try await store.pendingOutbox(limit: 1_000).count == outboxBefore, "no command and no audit record sent")
        #expect(try await store.auditEntries(before: nil, target: id, limit: 10).isEmpty)

        try await store.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_audit") }
        try await application(builder.router()).test(.router) { client in
            let retry = try await post(client, "/sagas/\(id)/retry")
            #expect(retry.status == .ok && retry.string("state") == "running", "\(retry.text)")
            // The answer shows the entry as committed with the change, with its place in the trail.
            let entries = try await store.auditEntries(before: nil, target: id, limit: 10)
            #expect(entries.map(\.outcome) == [.applied])
            #expect(retry.json?["audit"]?["sequence"]?.integerText == entries.first.map { String($0.sequence) })
            #expect(retry.json?["audit"]?["id"] == entries.first.map { .string($0.id) })
        }
        #expect(try await store.load(sagaID: id)?.status == .running)
    }

    @Test func sagasAreFilteredByStepFailureAndIdPrefixPagedByCursorAndCounted() async throws {
        let parked = [try await parkedSaga(), try await parkedSaga(), try await parkedSaga()]
        let running = UUID().uuidString.lowercased()
        _ = try await orchestrator.start(sagaType: "order", sagaID: running, data: OrderData(orderID: running, amount: 10))
        try await application(builder.router()).test(.router) { client in
            func ids(_ uri: String) async throws -> (ids: [String], next: JSONValue?) {
                let reply = try await client.get(uri)
                #expect(reply.status == .ok, "\(uri): \(reply.text)")
                guard case .array(let sagas)? = reply.json?["sagas"] else { return ([], nil) }
                return (sagas.compactMap { if case .string(let id)? = $0["sagaId"] { id } else { nil } }, reply.json?["next"])
            }
            #expect(Set(try await ids("/sagas?step=shipOrder").ids) == Set(parked))
            #expect(try await ids("/sagas?step=reserveStock").ids == [running])
            #expect(Set(try await ids("/sagas?failureCode=carrier%20refused&state=failed").ids) == Set(parked))
            #expect(try await ids("/sagas?idPrefix=\(parked[1].prefix(13))").ids == [parked[1]])
            #expect(try await ids("/sagas?until=2000-01-01T00:00:00Z").ids == [])

            // Pages of two: every saga once, newest first, and the last page says so.
            var seen: [String] = []
            var uri = "/sagas?limit=2"
            while true {
                let page = try await ids(uri)
                seen += page.ids
                guard case .string(let next)? = page.next else { break }
                uri = "/sagas?limit=2&cursor=\(next)"
            }
            #expect(seen.count == 4 && Set(seen) == Set(parked + [running]), "\(seen)")
            let badCursor = try await client.get("/sagas?cursor=nonsense")
            #expect(badCursor.isProblem(.badRequest, type: .invalidRequest) && badCursor.fieldErrors == ["cursor"], "\(badCursor.text)")

            let counts = try await client.get("/sagas/counts")
            #expect(counts.status == .ok, "\(counts.text)")
            #expect(counts.json?["total"] == .integer(4))
            #expect(counts.json?["byState"]?["failed"] == .integer(3) && counts.json?["byState"]?["completed"] == .integer(0))
            #expect(counts.json?["byType"]?["order"]?["running"] == .integer(1), "\(counts.text)")
            #expect(try await client.get("/sagas/counts", token: TestTokens.producer).isProblem(.forbidden, type: .forbidden))
        }
    }
}

extension JSONValue {
    /// An integer's decimal text ("" for anything else).
    var integerText: String { if case .integer(let value) = self { String(value) } else { "" } }
}
