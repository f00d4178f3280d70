import Avro
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SagaAPI
import SagaCore
import SagaAvro
import SagaServicesTestSupport
import SagaTestSupport
import ServiceKit
import Testing

/// `POST /transfers` and `GET /sagas/{id}` through the real broker and the real services.
@Suite(.timeLimit(.minutes(3)))
struct TransferAPITests {
    @Test func aTransferPostedToTheAPICompletesAndARepeatStartsNothing() async throws {
        try await APIWorld.with { world in
            let accounts = world.services.accounts
            try await accounts.open(vpa: "alice@okbank", holder: "Alice")
            try await accounts.open(vpa: "bob@upibank", holder: "Bob")
            try await accounts.deposit(vpa: "alice@okbank", amountMinor: 50_000)
            let key = UUID().uuidString
            try await application(world.builder.router()).test(.router) { client in
                let first = try await client.post("/transfers", transferBody(from: "Alice@OKBANK", to: "bob@upibank", amount: 12_500), key: key)
                #expect(first.status == .accepted, "\(first.text)")
                let id = try #require(first.string("sagaId"))
                #expect(first.string("transferId") == id && first.string("status") == "accepted")
                #expect(first.headers[.location] == "/sagas/\(id)")
                #expect(id == (try IdempotencyKey(key)).sagaID(kind: "transfer").uuidString.lowercased())

                let transferID = try #require(UUID(uuidString: id))
                #expect(try await world.services.waitForEnd(of: transferID).status == .completed)
                let status = try await client.get("/sagas/\(id)")
                #expect(status.status == .ok, "\(status.text)")
                #expect(status.string("type") == "transfer" && status.string("state") == "completed" && status.string("sagaId") == id)
                guard case .array(let history)? = status.json?["history"] else {
                    Issue.record("no history in \(status.text)")
                    return
                }
                #expect(history.count >= 3)
                #expect(history.allSatisfy { $0["outcome"] == .string("succeeded") && $0["finishedAt"] != .null && $0["attempt"] == .integer(1) })
                #expect(status.json?["data"]?["payerVPA"] == .string("alice@okbank"), "saga data decoded as JSON: \(status.text)")

                // The same key and body: 200, the same id, nothing published.
                let repeated = try await client.post("/transfers", transferBody(from: "alice@okbank", to: "bob@upibank", amount: 12_500), key: key)
                #expect(repeated.status == .ok && repeated.string("sagaId") == id, "\(repeated.text)")
                // The same key with another body: 422.
                let reused = try await client.post("/transfers", transferBody(from: "alice@okbank", to: "bob@upibank", amount: 1), key: key)
                #expect(reused.isProblem(.unprocessableContent, type: .idempotencyKeyReused), "\(reused.text)")

                // A later transfer, then the topic read up to it (one partition: in order) holds one request for the first.
                let sentinel = try await client.post("/transfers", transferBody(from: "alice@okbank", to: "bob@upibank", amount: 100))
                let sentinelID = try #require(sentinel.string("sagaId"))
                let records = try await world.services.consume(world.services.topics.transferRequested) { records in
                    records.contains { $0.headers.contains { $0.key == "saga-id" && $0.value == Array(sentinelID.utf8) } }
                }
                let requests = records.filter { $0.headers.contains { $0.key == "saga-id" && $0.value == Array(id.utf8) } }
                #expect(requests.count == 1)
                let sentinelUUID = try #require(UUID(uuidString: sentinelID))
                #expect(try await world.services.waitForEnd(of: sentinelUUID).status == .completed)
            }
            #expect(try await accounts.account("alice@okbank")?.balanceMinor == 50_000 - 12_500 - 100)
            #expect(try await accounts.account("bob@upibank")?.balanceMinor == 12_600)
        }
    }

    /// The caller's W3C trace context goes on the start event and from there on every command the
    /// saga sends; a request without one gets a new trace, returned in `traceparent`.
    @Test func theCallersTraceContextIsCarriedFromTheStartEventThroughTheSagasCommands() async throws {
        try await APIWorld.with { world in
            let accounts = world.services.accounts
            try await accounts.open(vpa: "tara@okbank", holder: "Tara")
            try await accounts.open(vpa: "uma@upibank", holder: "Uma")
            try await accounts.deposit(vpa: "tara@okbank", amountMinor: 10_000)
            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            let traceparent = "00-\(traceID)-00f067aa0ba902b7-01"
            try await application(world.builder.router()).test(.router) { client in
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                headers[HTTPField.Name("traceparent")!] = traceparent
                headers[.authorization] = "Bearer " + TestTokens.producer
                let traced = try await client.execute(uri: "/transfers", method: .post, headers: headers,
                    body: ByteBuffer(string: transferBody(from: "tara@okbank", to: "uma@upibank", amount: 2_500))) { JSONReply($0) }
                #expect(traced.status == .accepted, "\(traced.text)")
                #expect(traced.headers[HTTPField.Name("traceparent")!] == traceparent)
                let id = try #require(traced.string("sagaId"))
                #expect(try await world.services.waitForEnd(of: try #require(UUID(uuidString: id))).status == .completed)

                // Validate, debit and credit: three commands on account.commands.
                func traceIDs(on topic: String, count: Int) async throws -> [String] {
                    let records = try await world.services.consume(topic) { records in
                        records.count { $0.headers.string("saga-id") == id } >= count
                    }
                    return records.filter { $0.headers.string("saga-id") == id }
                        .compactMap { TraceContext(headers: $0.headers)?.traceID }
                }
                #expect(try await traceIDs(on: world.services.topics.transferRequested, count: 1) == [traceID])
                let commands = try await traceIDs(on: world.services.topics.accountCommands, count: 3)
                #expect(commands.count == 3 && commands.allSatisfy { $0 == traceID }, "\(commands)")

                // Without a traceparent: a new, valid trace, returned to the caller.
                let untraced = try await client.post("/transfers", transferBody(from: "tara@okbank", to: "uma@upibank", amount: 100))
                #expect(untraced.status == .accepted)
                let fresh = try #require(untraced.headers[HTTPField.Name("traceparent")!])
                #expect(TraceContext(traceparent: fresh) != nil && !fresh.contains(traceID))
            }
        }
    }
}
