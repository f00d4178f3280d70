import Foundation
import SagaContracts
import SagaCore
import SagaSystem
import SagaTestSupport
import Subprocess
import Testing

/// The web console in a real browser (Debian's headless chromium driven by Selenium) against a
/// running system: an order that compensates, a transfer parked by an uncertain pivot and a dead
/// letter are made, then `Python/console_browser.py` signs in with a token, finds each by filter,
/// opens the timelines, resolves the parked transfer with a note and replays the letter, taking a
/// screenshot of each view into `.artifacts/console/` (git-ignored). The outcomes are then checked
/// through the API. Without chromium the test is skipped, except in CI (`CI=true`), where that fails.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ConsoleBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let chromium = "/usr/bin/chromium", chromedriver = "/usr/bin/chromedriver"
    static var browserInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: chromedriver)
    }
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    @Test(.enabled(if: browserInstalled || inCI, "chromium and chromium-driver are not installed (scripts/setup installs them)"))
    func anOperatorFindsResolvesAndReplaysThroughTheConsole() async throws {
        guard Self.browserInstalled else {
            throw ConsoleTestError("CI=true but \(Self.chromium) or \(Self.chromedriver) is missing: scripts/setup installs Debian's chromium and chromium-driver")
        }
        let system = try await ConsoleSystem.start()
        do {
            try await drive(system)
        } catch {
            await system.stop()
            throw error
        }
        await system.stop()
    }

    func drive(_ system: ConsoleSystem) async throws {
        // An order over the payment limit: declined, its stock released (compensated).
        let product = DemoData.products[0]
        func placeDeclinedOrder() async throws -> String {
            try sagaID(of: try await system.post("/orders", token: ConsoleSystem.producer.token, json: """
                {"customerId":"\(DemoData.customers[0].uuidString.lowercased())","items":[{"productId":"\(product.productID.uuidString.lowercased())",\
                "sku":"\(product.sku)","quantity":1,"unitPriceMinor":\(product.unitPriceMinor)}],"currency":"INR","paymentToken":"tok_visa"}
                """))
        }
        #expect(product.unitPriceMinor > ConsoleSystem.paymentLimitMinor)
        // A first one whose details the retention of finished sagas then removes (as the
        // housekeeping does past SAGA_FINISHED_SAGA_RETENTION_DAYS): the console shows its tombstone.
        let removed = try await placeDeclinedOrder()
        try await eventually("order \(removed) to be compensated", within: 60) { try await state(of: removed, in: system) == "compensated" }
        #expect(try await system.orchestratorStore.purgeFinished(startedBefore: Date().addingTimeInterval(0.001), limit: 10) == 1)
        let order = try await placeDeclinedOrder()
        // A transfer whose credit never goes through: its pivot is uncertain and the saga parks.
        let requested = try await system.post("/transfers", token: ConsoleSystem.producer.token, json: """
            {"payerVpa":"\(ConsoleSystem.payer)","payeeVpa":"\(ConsoleSystem.stuckPayee)","amountMinor":25000,"currency":"INR","note":"rent"}
            """)
        let transfer = try sagaID(of: requested)
        // A record no contract decodes, on a participant's topic: dead-lettered.
        try await system.publishMalformed(to: system.topics.paymentCommands, key: UUID().uuidString.lowercased())
        let deadLetterTopic = DeadLetterRecord.topic(for: system.topics.paymentCommands)

        try await eventually("order \(order) to be compensated", within: 60) { try await state(of: order, in: system) == "compensated" }
        try await eventually("transfer \(transfer) to park", within: 60) { try await state(of: transfer, in: system) == "failed" }
        let timeline = try await served("/sagas/\(order)/timeline", in: system)
        let deadLetters = try await served("/dead-letters/topics", in: system)
        if deadLetters {
            try await eventually("the malformed record to be dead-lettered", within: 60) {
                let topics = try await system.json("/dead-letters/topics")["topics"] as? [[String: Any]] ?? []
                return topics.contains { $0["topic"] as? String == deadLetterTopic && ($0["count"] as? Int ?? 0) >= 1 }
            }
        }

        let artifacts = Self.root.appendingPathComponent(".artifacts/console")
        let tokenFile = try TemporaryDirectory()
        let tokenPath = tokenFile.file("token")
        try ConsoleSystem.operator.token.write(toFile: tokenPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenPath)
        let script = Self.root.appendingPathComponent("Tests/ConsoleTests/Python/console_browser.py").path
        let limit = 1 << 20
        let result = try await Subprocess.run(
            .name("timeout"),
            arguments: ["--kill-after=5", "150", "python3", script, "--url", system.consoleURL, "--token-file", tokenPath,
                        "--order", order, "--removed", removed, "--transfer", transfer, "--dlq-topic", deadLetterTopic, "--screenshots", artifacts.path,
                        "--timeline", timeline ? "served" : "absent", "--dead-letters", deadLetters ? "served" : "absent",
                        "--chromium", Self.chromium, "--chromedriver", Self.chromedriver],
            environment: .inherit.updating(["PYTHONPATH": Self.root.appendingPathComponent(".deps/python-browser").path]),
            output: .string(limit: limit), error: .string(limit: limit)
        )
        let output = result.standardOutput + result.standardError
        try #require(result.terminationStatus.isSuccess, "console_browser.py: \(result.terminationStatus)\n\(output)")
        #expect(!output.contains(ConsoleSystem.operator.token), "the token was printed")

        // What the browser did, seen through the API: the resolved transfer went on and completed,
        // and the trail names the operator, the action and the note.
        try await eventually("transfer \(transfer) to complete after the resolve", within: 60) {
            try await state(of: transfer, in: system) == "completed"
        }
        let trail = try await system.json("/audit?target=\(transfer)")["entries"] as? [[String: Any]] ?? []
        let resolve = try #require(trail.first { $0["action"] as? String == "saga.resolve" }, "\(trail)")
        #expect(resolve["actor"] as? String == "console-operator")
        #expect(resolve["outcome"] as? String == "applied")
        #expect((resolve["note"] as? String)?.contains("ticket OPS-77") == true)
        if deadLetters {
            let replays = try await system.json("/dead-letters/replays?topic=\(deadLetterTopic)")["replays"] as? [[String: Any]] ?? []
            #expect(replays.count == 1, "\(replays)")
            #expect(replays.first?["actor"] as? String == "console-operator")
            let audit = try await system.json("/audit")["entries"] as? [[String: Any]] ?? []
            #expect(audit.contains { $0["action"] as? String == "dlq.replay" }, "\(audit)")
        }
        let shots = try FileManager.default.contentsOfDirectory(atPath: artifacts.path).filter { $0.hasSuffix(".png") }
        #expect(shots.count >= 8, "\(shots)")
    }

    /// The `sagaId` of a 202 answer.
    func sagaID(of answer: (status: Int, body: String)) throws -> String {
        guard answer.status == 202,
              let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
              let id = object["sagaId"] as? String
        else { throw ConsoleTestError("expected a 202 with a sagaId, got \(answer.status): \(answer.body)") }
        return id
    }

    func state(of id: String, in system: ConsoleSystem) async throws -> String? {
        let (status, body) = try await system.get("/sagas/\(id)")
        guard status == 200 else { return nil }
        return (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["state"] as? String
    }

    /// Whether the api role serves `path` (200), or has no such route yet (a 404 `no-route` problem).
    func served(_ path: String, in system: ConsoleSystem) async throws -> Bool {
        let (status, body) = try await system.get(path)
        if status == 200 { return true }
        if status == 404, body.contains("urn:swift-saga:problem:no-route") { return false }
        throw ConsoleTestError("GET \(path) answered \(status): \(body)")
    }
}
