import AccountService
import Foundation
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSystem
import SagaTestSupport
import ServiceKit
import Subprocess
import SystemPackage
import Testing

extension PostgresProcessSuites {
    /// PostgreSQL stopped for 10 s in the middle of a run of transfers (`saga-server --role all`,
    /// every role on a private cluster of its own, which `scripts/postgres pause` stops and `resume`
    /// starts again on the same data and port): meanwhile `/readyz` answers 503 naming the
    /// database's host, never the password; afterwards the server is ready again, every saga
    /// finishes, each posting is applied once, money is conserved, every outbox row is published
    /// and nothing was dead-lettered: the messages met during the outage were retried, not skipped.
    @Suite(.serialized, .timeLimit(.minutes(12)), .enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
    struct PostgresOutageTests {
        static let transferCount = 300
        static let outage: Duration = .seconds(10)

        @Test func postgresStoppedForTenSecondsMidRunLosesNothing() async throws {
            let cluster = try await PrivateCluster.start()
            do {
                try await run(on: cluster)
            } catch {
                try await cluster.stop()
                throw error
            }
            try await cluster.stop()
        }

        private func run(on cluster: PrivateCluster) async throws {
            let began = ContinuousClock.now
            let deployment = try await SagaServerProcessTests.Deployment(partitions: 2)
            defer { deployment.remove() }
            let url = try PostgresDatabaseURL(parsing: cluster.url)
            let password = try #require(url.password)
            let prefix = TestDatabase.freshSchema("outage")
            let accounts = try await AccountService(database: PostgresStoreConfiguration(url: url, schema: "\(prefix)_account"), logger: Broker.logger)
            let sagas = try await PostgresSagaStore.open(PostgresStoreConfiguration(url: url, schema: "\(prefix)_orchestrator"), logger: Broker.logger)
            let pools = [accounts.store.postgres, sagas].compactMap { $0 }.map { store in Task { try await store.run() } }
            defer { pools.forEach { $0.cancel() } }
            try await TransferPlan.openAccounts(in: accounts)

            let server = try ServerProcess("saga-server --role all on a PostgreSQL that stops", environment: deployment.environment(role: .all, [
                "SAGA_DATABASE_URL": cluster.url, "SAGA_DATABASE_SCHEMA": prefix,
                "SAGA_STEP_TIMEOUT_SECONDS": "60", "SAGA_STEP_MAX_ATTEMPTS": "10",
            ]))
            defer { server.killIfRunning() }
            let port = try await server.port()
            try await eventually("/readyz to answer 200") { try await httpGet(port: port, "/readyz").status == 200 }
            try await deployment.waitForAssignments(of: server)

            let plan = TransferPlan(count: Self.transferCount, seed: UInt64.random(in: 0...UInt64.max))
            let transfers = try await FailoverWorkload.postTransfers(plan.transfers, apiPort: port)
            do {
                try await eventually("a fifth of the transfers to end", within: 240) {
                    try await FailoverWorkload.ended(sagas) >= Self.transferCount / 5
                }
            } catch {
                try await Self.report(error, sagas: sagas, server: server)
            }

            // The outage: the server stops; the roles say so, naming the host, never the password.
            let endedAtStop = try await FailoverWorkload.ended(sagas)
            let stopped = ContinuousClock.now
            try await cluster.pause()
            try await eventually("/readyz to answer 503 while PostgreSQL is down", within: 30) {
                try await httpGet(port: port, "/readyz").status == 503
            }
            let notReadyAfter = ContinuousClock.now - stopped
            var readinessChecks = 0
            while ContinuousClock.now - stopped < Self.outage {
                let readiness = try await httpGet(port: port, "/readyz")
                #expect(readiness.status == 503, "\(readiness.body)")
                for role in ["orchestrator", "account", "order", "inventory", "payment", "notification"] {
                    #expect(readiness.body.contains("store:\(role)"), "\(readiness.body)")
                }
                #expect(readiness.body.contains("\(url.host):\(url.port)"), "\(readiness.body)")
                #expect(!readiness.body.contains(password), "the password must never be shown")
                readinessChecks += 1
                try await Task.sleep(for: .milliseconds(500))  // pacing the probes over the outage, not waiting for an outcome
            }
            try await cluster.resume()
            let resumed = ContinuousClock.now
            try await eventually("/readyz to answer 200 once PostgreSQL is back", within: 60) {
                try await httpGet(port: port, "/readyz").status == 200
            }
            let readyAfter = ContinuousClock.now - resumed
            do {
                try await eventually("every transfer to end after the outage", within: 180) {
                    try await FailoverWorkload.ended(sagas) == Self.transferCount
                }
            } catch {
                try await Self.report(error, sagas: sagas, server: server)
            }
            let finishedAfter = ContinuousClock.now - resumed

            let statuses = try await FailoverWorkload.statuses(sagas)
            #expect(statuses.count == Self.transferCount)
            for transfer in transfers {
                let expected = TransferPlan.completes(transfer) ? SagaStatus.completed : .compensated
                #expect(statuses[text(transfer.id)] == expected.rawValue, "transfer \(transfer.id) to \(transfer.payee)")
                let kinds = try await accounts.postings(transferID: transfer.id).map(\.kind).sorted()
                #expect(kinds == (TransferPlan.completes(transfer) ? ["CREDIT", "DEBIT"] : ["DEBIT", "REFUND"]), "postings of \(transfer.id)")
            }
            for (vpa, balance) in plan.expectedBalances.sorted(by: { $0.key < $1.key }) {
                #expect(try await accounts.account(vpa)?.balanceMinor == balance, "balance of \(vpa)")
            }
            let totals = try await accounts.totals()
            #expect(totals.balances + totals.clearing == TransferPlan.startingTotalMinor && totals.clearing == 0, "money conserved: \(totals)")
            try await eventually("every outbox row to be published", within: 60) {
                let unpublished = try await FailoverWorkload.unpublished(schemaPrefix: prefix, in: sagas)
                return unpublished.count >= 6 && unpublished.values.allSatisfy { $0 == 0 }
            }
            let deadLetters = try await FailoverWorkload.deadLetters(on: deployment.topics, kafka: deployment.kafka)
            #expect(deadLetters.isEmpty, "\(deadLetters): \(server.text.split(separator: "\n").filter { $0.contains("dead-lettered") }.prefix(5))")
            let commands = try await FailoverWorkload.commands(on: deployment.topics, kafka: deployment.kafka)
            #expect(commands.attemptsDecidedTwice.isEmpty, "\(commands.attemptsDecidedTwice.prefix(10))")

            #expect(try await server.terminate(within: 40) == 0, "\(server.text)")
            #expect(!server.text.contains(password), "the password must never be printed")
            print("""
                PostgresOutageTests: \(Self.transferCount) transfers, PostgreSQL stopped for \(Self.outage) with \(endedAtStop) ended; \
                /readyz 503 after \(String(format: "%.1f", notReadyAfter.timeInterval)) s (\(readinessChecks) probes, all 503), \
                200 again \(String(format: "%.1f", readyAfter.timeInterval)) s after the restart, every saga ended \
                \(String(format: "%.1f", finishedAfter.timeInterval)) s after it; \(commands.records - commands.distinctMessages) commands republished; \
                \(String(format: "%.0f", (ContinuousClock.now - began).timeInterval)) s
                """)
        }

        /// Records `error` with the unfinished sagas and the server's last lines, and rethrows it.
        private static func report(_ error: any Error, sagas: PostgresSagaStore, server: ServerProcess) async throws -> Never {
            let report = try await FailoverWorkload.unfinishedReport(sagas)
            let log = server.text.split(separator: "\n").suffix(80).joined(separator: "\n")
            Issue.record("\(error)\n\(report)\nthe server's last lines:\n\(log)")
            throw error
        }
    }
}

/// A PostgreSQL cluster of one test's own (`scripts/postgres` on a free port), which the test
/// may stop and start again without touching the suite's shared database.
struct PrivateCluster {
    let port: String
    let url: String

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres").path

    static func start() async throws -> PrivateCluster {
        let port = try await run("free-port")
        return PrivateCluster(port: port, url: try await run("start", port))
    }

    func pause() async throws { _ = try await Self.run("pause", port) }
    func resume() async throws { _ = try await Self.run("resume", port) }
    func stop() async throws { _ = try await Self.run("stop", port) }

    /// Runs `scripts/postgres arguments`; its first output line (never logged: a URL carries the password).
    private static func run(_ arguments: String...) async throws -> String {
        let result = try await Subprocess.run(
            .path(FilePath(script)), arguments: Arguments(arguments), output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
        guard case .exited(0) = result.terminationStatus else {
            throw ScriptFailed(command: "scripts/postgres \(arguments.joined(separator: " "))", error: result.standardError)
        }
        return result.standardOutput.split(separator: "\n").first.map(String.init) ?? ""
    }

    struct ScriptFailed: Error, CustomStringConvertible {
        var command: String
        var error: String
        var description: String { "\(command) failed: \(error)" }
    }
}
