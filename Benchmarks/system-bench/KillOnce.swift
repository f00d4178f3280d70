import AccountService
import Foundation
import Kafka
import Logging
import SagaCore
import SagaSystem
import ServiceKit
import Synchronization

/// The benchmark's guardrail: UPI transfers through the whole system as its own process
/// (`saga-server --role all`, SQLite), SIGKILLed once when half of them have ended and started
/// again; then every transfer must have completed with exactly one debit and one credit of its
/// amount, and the money must be conserved. A fast path that loses or repeats an effect fails here.
struct KillOnce {
    var servers: String
    /// The `saga-server` executable.
    var server: String
    var port: Int
    var pidFile: String?
    var transfers: Int
    var inFlight: Int
    var logger: Logger

    /// What the run saw; throws ``BenchError`` when an effect was lost or repeated.
    func run() async throws -> String {
        let tag = UUID().uuidString.prefix(6).lowercased()
        let directory = NSTemporaryDirectory() + "system-bench-kill-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let environment = [
            "KAFKA_BOOTSTRAP_SERVERS": servers, "KAFKA_FETCH_WAIT_MAX_MS": fetchWaitSetting, "KAFKA_LINGER_MS": lingerSetting, "SAGA_DATA_DIR": directory, "SAGA_TOPIC_PREFIX": "sysbenchkill\(tag).",
            "SAGA_CONSUMER_GROUP_PREFIX": "sysbenchkill\(tag).", "SAGA_PAYMENT_LIMIT_MINOR": "1000000000",
            // A restart delays replies; no step may run out of attempts because of it.
            "SAGA_STEP_TIMEOUT_SECONDS": "60", "SAGA_STEP_MAX_ATTEMPTS": "10",
            // The benchmark talks to the server over Kafka only; its HTTP port serves the probes.
            "SAGA_AUTH_DISABLED": "true",
        ]
        let settings = try SagaServerSettings(environment: environment.merging(["SAGA_ROLE": "all"]) { $1 })
        let topics = settings.topics
        try await TopicProvisioner(kafka: settings.kafka, topics: topics, partitions: 3, logger: logger).createTopics()

        // The accounts exist before the server starts; it opens the same file.
        let accounts = try await AccountService(path: directory + "/account.sqlite")
        let payers = ["payer.one@killbank", "payer.two@killbank"], payees = ["payee.one@killbank", "payee.two@killbank"]
        let opening: Int64 = 1_000_000_000_000
        for vpa in payers + payees {
            _ = try await accounts.open(vpa: vpa, holder: vpa, perTransactionLimitMinor: 1_000_000, dailyLimitMinor: 1_000_000_000_000)
            try await accounts.deposit(vpa: vpa, amountMinor: opening)
        }

        let log = directory + ".log"
        var process = try ReplicaProcess(server: server, environment: environment, port: port, logFile: log, pidFile: pidFile, role: "all")
        try await process.waitUntilReady()
        let ends = SagaEnds()
        let watcher = Task { try await ends.watch(topic: topics.events, kafka: settings.kafka, logger: logger) }
        var endings = ends.endings.makeAsyncIterator()
        let producer = try KafkaProducer(configuration: settings.kafka, logger: logger)
        let planned = Mutex<[UUID: (payer: String, payee: String, amount: Int64)]>([:])
        let began = ContinuousClock.now
        defer { watcher.cancel() }

        let killer = Task { [process] () -> (ended: Int, restart: Duration, next: ReplicaProcess) in
            await ends.wait(untilEnded: transfers / 2)
            let ended = ends.endedCount
            await process.kill()
            let restarting = ContinuousClock.now
            let next = try ReplicaProcess(server: server, environment: environment, port: port, logFile: log, pidFile: pidFile, role: "all")
            try await next.waitUntilReady()
            return (ended, ContinuousClock.now - restarting, next)
        }
        let run: Measurement
        do {
            run = try await drive(count: transfers, .inFlight(inFlight), ends: ends, endings: &endings) { id in
                let pair = Int.random(in: 0..<2)
                let amount = Int64.random(in: 1...10_000)
                planned.withLock { $0[id] = (payers[pair], payees[pair], amount) }
                _ = try await producer.send(KafkaMessage(try StartEvent.transferRequested(
                    transferID: id, payer: payers[pair], payee: payees[pair], amountMinor: amount, source: "system-bench",
                    topic: topics.transferRequested)))
            }
        } catch {
            killer.cancel()
            if let restarted = try? await killer.value { process = restarted.next }
            await process.kill()
            throw BenchError("\(error) (saga-server log: \(log))")
        }
        let kill = try await killer.value
        process = kill.next
        let status = await process.stop()
        await producer.shutdown(timeout: .seconds(10))
        guard status == 0 else { throw BenchError("saga-server exited with status \(status) after SIGTERM (log: \(log))") }

        // Every transfer: one debit of the payer and one credit of the payee, of its amount.
        var wrong: [String] = []
        for (id, transfer) in planned.withLock({ $0 }) {
            let postings = try await accounts.postings(transferID: id).map { "\($0.kind) \($0.vpa) \($0.amountMinor)" }.sorted()
            let expected = ["CREDIT \(transfer.payee) \(transfer.amount)", "DEBIT \(transfer.payer) \(transfer.amount)"]
            if postings != expected { wrong.append("\(text(id)): \(postings)") }
        }
        let totals = try await accounts.totals()
        let deposits = opening * Int64(payers.count + payees.count)
        guard wrong.isEmpty else {
            throw BenchError("\(wrong.count) transfers lost or repeated an effect after the SIGKILL, e.g. \(wrong.prefix(3)) (log: \(log))")
        }
        guard totals.balances + totals.clearing == deposits, totals.clearing == 0, totals.netDeposits == deposits else {
            throw BenchError("money not conserved after the SIGKILL: \(totals), deposits \(deposits) (log: \(log))")
        }
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: log)
        let seconds = Double((ContinuousClock.now - began).components.seconds)
        let restart = kill.restart.timeInterval
        return String(format: """
            kill-once (saga-server --role all, SQLite): %d transfers at %d in flight, SIGKILL when %d had ended, ready again \
            after %.1f s; all completed in %.0f s (%.0f/s with the restart, p99 %.0f ms); each debited and credited once; \
            money conserved (balances %lld + clearing %lld = deposits %lld)
            """, transfers, inFlight, kill.ended, restart, seconds, run.perSecond, run.p99 ?? 0, totals.balances, totals.clearing, deposits)
    }
}
