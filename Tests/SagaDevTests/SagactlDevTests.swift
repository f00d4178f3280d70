import Foundation
import SagaDev
import SagaEngine
import SagaTestSupport
import Testing

/// `sagactl dev` run as the built binary, with its own Tansu broker (found under .deps/bin by
/// walking up from the executable), its demo workload, and SIGINT at the end.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct SagactlDevTests {
    @Test func devRunsTheSystemWithItsOwnBrokerAndStopsCleanlyOnSIGINT() async throws {
        let directory = try TestDirectory("sagactl-dev-test")
        let data = directory.file("data")
        let stdout = directory.file("stdout.txt")
        let stderr = directory.file("stderr.txt")
        var environment = ProcessInfo.processInfo.environment
        // Its own broker: not the suite's.
        environment["KAFKA_BOOTSTRAP_SERVERS"] = nil
        environment["SAGA_TANSU"] = nil
        let sagactl = try BuiltExecutables.sagactl()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sagactl)
        process.arguments = ["dev", "--http-port", "0", "--data-dir", data.path, "--demo", "--rate", "4/s", "--summary-interval", "1",
                             "--log-level", "error"]
        process.environment = environment
        try Data().write(to: stdout)
        try Data().write(to: stderr)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
        try process.run()
        let pid = process.processIdentifier
        defer { if processExists(pid) { kill(pid, SIGKILL) } }
        func output() -> String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
        func errors() -> String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

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

        // The demo workload's orders go both ways: some complete, some are compensated.
        let sagas = try SQLiteSagaStore(path: store)
        try await eventually("demo orders completed and compensated", within: 120) {
            let tally = try await SagaTally.read(sagas)
            return tally.count("order", "completed") >= 1 && tally.count("order", "compensated") >= 1
                && tally.count("transfer", "compensated") >= 1
        }
        try await eventually("a summary line on stdout", within: 30) { output().contains("order: ") }

        let children = childProcesses(of: pid)
        kill(pid, SIGINT)
        var status: Int32?
        for await code in exited.stream { status = code }
        #expect(process.terminationReason == .exit)
        #expect(status == 0, "exit status; stderr: \(errors())")
        #expect(output().contains("final: "))
        try await eventually("the broker and every other child to be gone", within: 10) {
            children.allSatisfy { !processExists($0) }
        }
        #expect(!processExists(brokerPID))
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
