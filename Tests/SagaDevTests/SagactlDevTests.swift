import Foundation
import SagaAPI
import Kafka
import ServiceKit
import SagaDev
import SagaCore
import SagaSQLite
import SagaTestSupport
import Testing

/// `sagactl dev` run as the built binary, with its own Tansu broker (found under .deps/bin by
/// walking up from the executable), its demo workload, and SIGINT at the end.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct SagactlDevTests {
    @Test func devRunsTheSystemWithItsOwnBrokerAndStopsCleanlyOnSIGINT() async throws {
        let directory = try TestDirectory("sagactl-dev-test")
        let data = directory.file("data")
        var environment = ProcessInfo.processInfo.environment
        // Its own broker: not the suite's.
        environment["KAFKA_BOOTSTRAP_SERVERS"] = nil
        environment["KAFKA_FETCH_WAIT_MAX_MS"] = nil
        environment["SAGA_TANSU"] = nil
        let sagactl = try BuiltExecutables.sagactl()
        let (process, stdout, stderr) = try launchSagactl(["dev", "--http-port", "0", "--data-dir", data.path, "--demo", "--rate", "4/s",
            "--summary-interval", "1", "--log-level", "error"], environment: environment, in: directory)
        let pid = process.pid
        defer { process.signal(SIGKILL) }  // a last resort: stoppingOnError stops it gracefully first
        func output() -> String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
        func errors() -> String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
        try await stoppingOnError(process) {
            try await eventually("the ready banner (stderr so far: \(errors()))", within: 120) {
                guard process.isRunning else { throw TimedOut(what: "sagactl dev exited early: \(errors())") }
                return output().contains("Ctrl-C stops everything.")
            }
            let banner = output()
            #expect(banner.hasPrefix("sagactl dev: ready"))
            let brokerLine = try #require(banner.split(separator: "\n").first { $0.hasPrefix("  broker") })
            let bootstrap = try #require(brokerLine.split(separator: " ").dropFirst().first.map(String.init))
            let brokerPID = try #require(brokerLine.range(of: "pid ").flatMap { Int32(brokerLine[$0.upperBound...].prefix { $0.isNumber }) })
            let httpLine = try #require(banner.split(separator: "\n").first { $0.hasPrefix("  http") })
            let httpURL = try #require(httpLine.split(separator: " ").dropFirst().first.flatMap { URL(string: String($0)) })
            #expect(childProcesses(of: pid).contains(brokerPID), "the broker is sagactl's child")
            // Its Tansu needs a short fetch wait, which the roles get (and the banner shows) although none was given.
            #expect(banner.contains("  fetch    KAFKA_FETCH_WAIT_MAX_MS=\(TansuBroker.fetchWaitMilliseconds) "), "\(banner)")

            // The health endpoints answer.
            #expect(try (await HTTPProbe.status(of: httpURL.appendingPathComponent("readyz"))).get() == 200)

            // A transfer published with the banner's own example command completes.
            let publishLine = try #require(banner.split(separator: "\n").first { $0.contains("sagactl publish") })
            let value = try #require(publishLine.components(separatedBy: "--value '").last?.dropLast())
            let transferID = try #require(value.range(of: #""transferId":""#).map { String(value[$0.upperBound...].prefix(36)) })
            let published = try await runToCompletion(sagactl, ["publish", "transfer.requested", "--schema", "TransferRequested",
                "--bootstrap-servers", bootstrap, "--value", String(value)])
            #expect(published.status == 0, "publish: \(published.error)")

            let store = data.appendingPathComponent("orchestrator.sqlite").path
            try await eventually("transfer \(transferID) to complete, as sagactl status reports it", within: 120) {
                let status = try await runToCompletion(sagactl, ["status", transferID, "--store", store, "--json"])
                guard status.status == 0 else { return false }
                let report = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
                return report?["state"] as? String == "completed"
            }
            // The same over the HTTP API, with the banner's operator token: no database file needed.
            let operatorLine = try #require(banner.split(separator: "\n").first { $0.hasPrefix("  token") && $0.contains("(operator") })
            let operatorToken = String(try #require(operatorLine.split(separator: " ").dropFirst().first))
            let overHTTP = try await runToCompletion(sagactl, ["status", transferID, "--url", httpURL.absoluteString, "--json"],
                environment: ["SAGA_TOKEN": operatorToken])
            #expect(overHTTP.status == 0, "\(overHTTP.error)")
            let remote = try JSONSerialization.jsonObject(with: Data(overHTTP.output.utf8)) as? [String: Any]
            #expect(remote?["state"] as? String == "completed", "\(overHTTP.output)")
            let withoutToken = try await runToCompletion(sagactl, ["status", transferID, "--url", httpURL.absoluteString],
                environment: ["SAGA_TOKEN": ""])
            #expect(withoutToken.status == 1 && withoutToken.error.contains("401"), "\(withoutToken.error)")

            // The demo workload's orders go both ways: some complete, some are compensated.
            let sagas = try SQLiteSagaStore(path: store)
            try await eventually("demo orders completed and compensated, and bills settled and refunded", within: 120) {
                let tally = try await SagaTally.read(sagas)
                return tally.count("order", "completed") >= 1 && tally.count("order", "compensated") >= 1
                    && tally.count("transfer", "compensated") >= 1
                    && tally.count("bill-settlement", "completed") >= 1 && tally.count("bill-settlement", "compensated") >= 1
            }
            try await eventually("a summary line on stdout", within: 30) { output().contains("order: ") }

            let children = childProcesses(of: pid)
            process.signal(SIGINT)
            #expect(await process.waitForExit() == 0, "exit status; stderr: \(errors())")
            #expect(output().contains("final: "))
            try await eventually("the broker and every other child to be gone", within: 60) {
                children.allSatisfy { !processExists($0) }
            }
            #expect(!processExists(brokerPID))
        }
    }

    @Test func devSaysWhatToDoWhenNoBrokerBinaryIsFound() async throws {
        let directory = try TestDirectory("sagactl-dev-nobroker")
        let result = try await runToCompletion(try BuiltExecutables.sagactl(),
            ["dev", "--tansu", directory.file("no-such-tansu").path, "--data-dir", directory.url.path])
        #expect(result.status == 1)
        #expect(result.error.contains("not an executable file"), "\(result.error)")
        let located = ExecutableLocator(environment: ["PATH": directory.url.path], currentDirectory: directory.url,
            executable: directory.file("bin/sagactl"))
        #expect(throws: DevError.self) { try located.tansu(explicit: nil) }
        do {
            _ = try located.tansu(explicit: nil)
        } catch {
            #expect(error.description.contains("scripts/setup"))
            #expect(error.description.contains("--bootstrap-servers"))
        }
    }
}

/// `sagactl dev --processes` against the suite's broker: every role a child process, a transfer
/// through them, SIGINT stops every role and sagactl exits 0.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct SagactlDevProcessesTests {
    @Test func devProcessesRunsEveryRoleAsAChildAndStopsThemOnSIGINT() async throws {
        let kafka = try Broker.configuration()
        let prefix = "devp\(UUID().uuidString.prefix(6).lowercased())."
        let directory = try TestDirectory("sagactl-dev-processes")
        let (process, stdout, _) = try launchSagactl(["dev", "--processes", "--bootstrap-servers",
            kafka.bootstrapServers.joined(separator: ","), "--topic-prefix", prefix, "--http-port", "0",
            "--data-dir", directory.file("data").path, "--log-level", "info"], in: directory)
        let pid = process.pid
        defer { process.signal(SIGKILL) }  // a last resort: stoppingOnError stops it gracefully first
        func output() -> String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
        try await stoppingOnError(process) {
            try await eventually("the ready banner", within: 150) {
                guard process.isRunning else { throw TimedOut(what: "sagactl dev --processes exited early: \(output())") }
                return output().contains("Ctrl-C stops everything.")
            }
            let roleLines = output().split(separator: "\n").filter { $0.contains("/logs/") }
            #expect(roleLines.count == 7, "one line per role: \(roleLines)")
            let children = childProcesses(of: pid)
            #expect(children.count == 14, "every role and its guardian are sagactl's children (no broker: one was given)")
            let api = try #require(output().split(separator: "\n").first { $0.hasPrefix("  http") }?
                .split(separator: " ").dropFirst().first.flatMap { URL(string: String($0)) })
            #expect(try (await HTTPProbe.status(of: api.appendingPathComponent("readyz"))).get() == 200)

            // Through the api role's POST /transfers, as a client would, with the banner's producer token.
            let tokenLine = try #require(output().split(separator: "\n").first { $0.hasPrefix("  token") && $0.contains("(producer") })
            let token = String(try #require(tokenLine.split(separator: " ").dropFirst().first))
            #expect(token.hasPrefix(AccessToken.tokenPrefix))
            let transfer = try await HTTPSagaStarter(baseURL: api, token: token)
                .requestTransfer(WorkloadTransfer(payer: "alice@okbank", payee: "bob@okbank", amountMinor: 500))
            let store = try SQLiteSagaStore(path: directory.file("data/orchestrator.sqlite").path)
            try await eventually("the transfer to complete", within: 120) {
                try await store.load(sagaID: transfer.uuidString.lowercased())?.status == .completed
            }

            process.signal(SIGINT)
            #expect(await process.waitForExit() == 0)
            try await eventually("every role process to be gone", within: 60) { children.allSatisfy { !processExists($0) } }
        }
    }
}

/// `sagactl dev` killed outright (SIGKILL: no shutdown code runs) leaves nothing behind: each
/// child's guardian sees its lifeline pipe close and stops the child.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct SagactlDevLifelineTests {
    @Test func killingSagactlStopsEveryRoleItStarted() async throws {
        let kafka = try Broker.configuration()
        let directory = try TestDirectory("sagactl-dev-lifeline")
        let (process, stdout, _) = try launchSagactl(["dev", "--processes", "--bootstrap-servers",
            kafka.bootstrapServers.joined(separator: ","), "--topic-prefix", "life\(UUID().uuidString.prefix(6).lowercased()).",
            "--http-port", "0", "--data-dir", directory.file("data").path], in: directory)
        defer { process.signal(SIGKILL) }
        try await stoppingOnError(process) {
            try await eventually("the ready banner", within: 150) {
                guard process.isRunning else { throw TimedOut(what: "sagactl dev --processes exited early") }
                return ((try? String(contentsOf: stdout, encoding: .utf8)) ?? "").contains("Ctrl-C stops everything.")
            }
        }
        let children = childProcesses(of: process.pid)
        #expect(children.count == 14, "7 roles and their 7 guardians: \(children)")
        process.signal(SIGKILL)
        #expect(await process.waitForExit() == 128 + SIGKILL)
        try await eventually("every role and guardian to be gone", within: 90) { children.allSatisfy { !processExists($0) } }
    }
}
