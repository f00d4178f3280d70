import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import SagaAPI
import SagaCore
import SagaServicesTestSupport
import SagaTestSupport
import Testing

/// `GET /sagas/{id}/timeline` through the real broker and the real services: every command,
/// reply and lifecycle event of a transfer, in order, payloads decoded from Avro.
@Suite(.timeLimit(.minutes(3)))
struct TimelineAPITests {
    /// `kind:step` of each entry (`kind:messageType` for lifecycle events).
    private func summary(_ entries: [JSONValue]) -> [String] {
        entries.map { entry in
            let kind = entry["kind"].flatMap { if case .string(let text) = $0 { text } else { nil } } ?? "?"
            let name = kind == "lifecycle" ? entry["messageType"] : entry["step"]
            if case .string(let text)? = name { return kind + ":" + (text.split(separator: ".").last.map(String.init) ?? text) }
            return kind
        }
    }

    private func entries(_ reply: JSONReply) throws -> [JSONValue] {
        guard case .array(let entries)? = reply.json?["entries"] else {
            Issue.record("no entries in \(reply.text)")
            return []
        }
        return entries
    }

    /// Every command, compensation and lifecycle entry has its payload decoded; replies with a payload too.
    private func expectDecoded(_ entries: [JSONValue]) {
        for entry in entries where entry["payloadError"] != nil {
            Issue.record("undecoded payload: \(entry.serialized)")
        }
        for entry in entries where [JSONValue.string("command"), .string("compensation"), .string("lifecycle")].contains(entry["kind"] ?? .null) {
            guard case .object? = entry["payload"] else {
                Issue.record("no decoded payload: \(entry.serialized)")
                continue
            }
        }
        let sequences = entries.compactMap { if case .integer(let n)? = $0["sequence"] { n } else { nil } }
        #expect(sequences == Array(1...Int64(max(entries.count, 1))).prefix(entries.count).map { $0 })
    }

    @Test func aCompletedAndACompensatedTransferShowEveryMessageDecodedInOrder() async throws {
        try await APIWorld.with { world in
            let accounts = world.services.accounts
            try await accounts.open(vpa: "tim@okbank", holder: "Tim")
            try await accounts.open(vpa: "lia@upibank", holder: "Lia")
            try await accounts.open(vpa: "rex@upibank", holder: "Rex")
            try await accounts.deposit(vpa: "tim@okbank", amountMinor: 50_000)
            try await accounts.setRejectsCredits(vpa: "rex@upibank", true)
            try await application(world.builder.router()).test(.router) { client in
                let completed = try #require(try await client.post("/transfers", transferBody(from: "tim@okbank", to: "lia@upibank", amount: 1_500))
                    .string("sagaId"))
                #expect(try await world.services.waitForEnd(of: try #require(UUID(uuidString: completed))).status == .completed)
                let done = try await client.get("/sagas/\(completed)/timeline")
                #expect(done.status == .ok, "\(done.text)")
                #expect(done.string("sagaId") == completed && done.string("type") == "transfer" && done.string("state") == "completed")
                let doneEntries = try entries(done)
                #expect(summary(doneEntries) == [
                    // The compensation-only failure notice comes first and completes at once.
                    "lifecycle:SagaStarted", "lifecycle:SagaStepCompleted", "command:validateTransfer",
                    "reply:validateTransfer", "lifecycle:SagaStepCompleted", "command:debitPayer",
                    "reply:debitPayer", "lifecycle:SagaStepCompleted", "command:creditPayee",
                    "reply:creditPayee", "lifecycle:SagaStepCompleted", "command:notifyPayer",
                    "reply:notifyPayer", "lifecycle:SagaStepCompleted", "command:notifyPayee",
                    "reply:notifyPayee", "lifecycle:SagaStepCompleted", "lifecycle:SagaCompleted",
                ], "\(done.text)")
                expectDecoded(doneEntries)
                let debit = try #require(doneEntries.first { $0["step"] == .string("debitPayer") && $0["kind"] == .string("command") })
                #expect(debit["messageType"] == .string("com.swiftsaga.transfer.DebitPayer"))
                #expect(debit["topic"] == .string(world.services.topics.accountCommands) && debit["attempt"] == .integer(1))
                #expect(debit["payload"]?["payerVpa"] == .string("tim@okbank"), "\(debit.serialized)")
                let debited = try #require(doneEntries.first { $0["step"] == .string("debitPayer") && $0["kind"] == .string("reply") })
                #expect(debited["outcome"] == .string("succeeded") && debited["attempt"] == .integer(1))
                #expect(debited["messageType"] == .string("com.swiftsaga.transfer.DebitPayerReply"), "\(debited.serialized)")
                guard case .object? = debited["payload"] else {
                    Issue.record("the debit reply is not decoded: \(debited.serialized)")
                    return
                }

                let refused = try #require(try await client.post("/transfers", transferBody(from: "tim@okbank", to: "rex@upibank", amount: 700))
                    .string("sagaId"))
                #expect(try await world.services.waitForEnd(of: try #require(UUID(uuidString: refused))).status == .compensated)
                let undone = try await client.get("/sagas/\(refused)/timeline")
                #expect(undone.status == .ok && undone.string("state") == "compensated", "\(undone.text)")
                let undoneEntries = try entries(undone)
                let kinds = summary(undoneEntries)
                #expect(kinds.first == "lifecycle:SagaStarted" && kinds.last == "lifecycle:SagaCompensated", "\(kinds)")
                #expect(kinds.contains("lifecycle:SagaCompensating") && kinds.contains("compensation:notifyPayerOfFailure"), "\(kinds)")
                let failed = try #require(undoneEntries.first { $0["kind"] == .string("reply") && $0["outcome"] == .string("businessFailure") })
                #expect(failed["step"] == .string("creditPayee") || failed["step"] == .string("validateTransfer"), "\(failed.serialized)")
                if failed["step"] == .string("creditPayee") {
                    #expect(kinds.contains("compensation:debitPayer"), "the debit is refunded: \(kinds)")
                }
                // Compensating comes after the failed reply, the compensations after it.
                let compensating = try #require(kinds.firstIndex(of: "lifecycle:SagaCompensating"))
                #expect(kinds.firstIndex { $0.hasPrefix("compensation:") }.map { $0 > compensating } == true)
                expectDecoded(undoneEntries)
            }
        }
    }

    @Test func unknownSagasAre404AndTheTimelineNeedsAViewerOrOperator() async throws {
        try await APIWorld.with { world in
            try await application(world.builder.router()).test(.router) { client in
                let path = "/sagas/\(UUID().uuidString.lowercased())/timeline"
                let byViewer = try await client.get(path)
                let byOperator = try await client.get(path, token: TestTokens.operator)
                let notAnID = try await client.get("/sagas/not-a-uuid/timeline")
                let anonymous = try await client.get(path, token: nil)
                let badToken = try await client.get(path, token: "nope")
                let byProducer = try await client.get(path, token: TestTokens.producer)
                #expect(byViewer.isProblem(.notFound, type: .notFound) && byOperator.isProblem(.notFound, type: .notFound), "\(byViewer.text)")
                #expect(notAnID.isProblem(.badRequest), "\(notAnID.text)")
                #expect(anonymous.isProblem(.unauthorized, type: .unauthorized) && badToken.isProblem(.unauthorized, type: .unauthorized))
                #expect(byProducer.isProblem(.forbidden, type: .forbidden), "\(byProducer.text)")
            }
        }
    }
}
