import Avro
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SagaAPI
import SagaCore
import SagaServicesTestSupport
import SagaTestSupport
import Testing

/// `POST /bills/{billId}/settlement` through the real broker and the real services, and its
/// validation of bad bodies.
@Suite(.timeLimit(.minutes(3)))
struct BillAPITests {
    static func body(owner: String = "olivia@okbank", shares: [(String, Int)], currency: String = "INR") -> String {
        let items = shares.map { #"{"payerVpa":"\#($0.0)","amountMinor":\#($0.1)}"# }.joined(separator: ",")
        return #"{"ownerVpa":"\#(owner)","currency":"\#(currency)","shares":[\#(items)],"note":"dinner"}"#
    }

    @Test func aBillPostedToTheAPIIsSettledOnceAndItsIDIsTheIdempotencyKey() async throws {
        try await APIWorld.with { world in
            let accounts = world.services.accounts
            for vpa in ["olivia@okbank", "bob@okbank", "carol@okbank"] { try await accounts.open(vpa: vpa, holder: vpa) }
            try await accounts.deposit(vpa: "bob@okbank", amountMinor: 10_000)
            try await accounts.deposit(vpa: "carol@okbank", amountMinor: 10_000)
            let billID = UUID().uuidString.lowercased()
            let body = Self.body(shares: [("Bob@OKBANK", 1_500), ("carol@okbank", 2_500)])
            try await application(world.builder.router()).test(.router) { client in
                let first = try await client.post("/bills/\(billID)/settlement", body)
                #expect(first.status == .accepted, "\(first.text)")
                #expect(first.string("sagaId") == billID && first.string("billId") == billID)
                #expect(first.headers[.location] == "/sagas/\(billID)")

                #expect(try await world.services.waitForEnd(of: try #require(UUID(uuidString: billID))).status == .completed)
                let status = try await client.get("/sagas/\(billID)")
                #expect(status.string("type") == "bill-settlement" && status.string("state") == "completed", "\(status.text)")

                // The same bill again: 200, nothing new; the same bill with other shares: 422.
                let repeated = try await client.post("/bills/\(billID)/settlement", body)
                #expect(repeated.status == .ok && repeated.string("sagaId") == billID, "\(repeated.text)")
                let other = try await client.post("/bills/\(billID)/settlement", Self.body(shares: [("bob@okbank", 1)]))
                #expect(other.isProblem(.unprocessableContent, type: .idempotencyKeyReused), "\(other.text)")
                let requests = try await world.services.consume(world.services.topics.billSettlementRequested) { records in
                    records.contains { $0.headers.string("saga-id") == billID }
                }
                #expect(requests.count { $0.headers.string("saga-id") == billID } == 1)
            }
            #expect(try await accounts.account("olivia@okbank")?.balanceMinor == 4_000)
            #expect(try await accounts.account("bob@okbank")?.balanceMinor == 8_500)
            #expect(try await accounts.account("carol@okbank")?.balanceMinor == 7_500)
        }
    }

    @Test func aBadBillIsRefusedNamingEachBadField() async throws {
        let tooMany = (0...BillSettlementRequest.maximumShares).map { ("p\($0)@okbank", 100) }
        let cases: [(path: String, body: String, fields: [String])] = [
            ("not-a-uuid", Self.body(shares: [("bob@okbank", 100)]), ["billId"]),
            (UUID().uuidString, Self.body(shares: []), ["shares"]),
            (UUID().uuidString, Self.body(shares: tooMany), ["shares"]),
            (UUID().uuidString, Self.body(shares: [("bob@okbank", 100), ("BOB@okbank", 200)]), ["shares[1].payerVpa"]),
            (UUID().uuidString, Self.body(shares: [("olivia@okbank", 100), ("bob@okbank", 0)]),
                ["shares[0].payerVpa", "shares[1].amountMinor"]),
            (UUID().uuidString, Self.body(owner: "olivia", shares: [("bob@okbank", -5)], currency: "rupees"),
                ["ownerVpa", "currency", "shares[0].amountMinor"]),
            (UUID().uuidString, #"{"ownerVpa":"olivia@okbank","currency":"INR","shares":[{"payer":"bob@okbank"}]}"#,
                ["shares[0].payer", "shares[0].payerVpa", "shares[0].amountMinor"]),
            (UUID().uuidString, #"{"ownerVpa":"olivia@okbank","currency":"INR","shares":[{"payerVpa":"ana@okbank","amountMinor":9223372036854775807},{"payerVpa":"ben@okbank","amountMinor":1}]}"#,
                ["shares"]),
        ]
        try await APIWorld.with { world in
            try await application(world.builder.router()).test(.router) { client in
                for (path, body, fields) in cases {
                    let reply = try await client.post("/bills/\(path)/settlement", body)
                    #expect(reply.isProblem(.badRequest, type: .invalidRequest), "\(reply.text)")
                    guard case .array(let errors)? = reply.json?["errors"] else {
                        Issue.record("no errors in \(reply.text)")
                        continue
                    }
                    #expect(errors.compactMap { if case .string(let f)? = $0["field"] { f } else { nil } } == fields, "\(reply.text)")
                }
            }
            // Nothing was published for any of them.
            let sentinel = UUID()
            try await world.services.requestBillSettlement(sentinel, owner: "olivia@okbank", shares: [("bob@okbank", 1)])
            let records = try await world.services.consume(world.services.topics.billSettlementRequested) { records in
                records.contains { $0.headers.string("saga-id") == sentinel.uuidString.lowercased() }
            }
            #expect(records.count == 1)
        }
    }
}
