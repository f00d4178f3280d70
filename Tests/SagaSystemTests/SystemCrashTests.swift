import SagaContracts
import AccountService
import Foundation
import GRDB
import Kafka
import SagaCore
import SagaSQLite
import SagaSystem
import SagaTestSupport
import ServiceKit
import SystemPackage
import Testing

/// The whole system as one process (`saga-server --role all`), SIGKILLed several times at random
/// moments while 1,000 concurrent UPI transfers and 100 bill settlements run through it and
/// restarted each time. At the end every transfer has ended as it should (completed, or refunded
/// when its payee rejects credits), every bill is settled or fully refunded (refunded when its
/// owner rejects credits), no posting was applied twice, each moved exactly its amount, and no
/// money was created or lost.
@Suite(.timeLimit(.minutes(8)))
struct SystemCrashTests {
    static let transferCount = 1_000
    static let billCount = 100
    static var sagaCount: Int { transferCount + billCount }
    static let kills = 4
    /// Transfers resent with the same transfer id and a new message id, in two rounds: the first
    /// while they are in flight, the second after many have finished.
    static let resentPerRound = 40

    @Test func everyTransferEndsOnceAndMoneyIsConservedThroughRepeatedSIGKILLs() async throws {
        let kafka = try Broker.configuration()
        let prefix = "syscrash\(UUID().uuidString.prefix(6).lowercased())."
        let topics = SagaTopics(prefix: prefix)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saga-system-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("saga-server.log")
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let plan = TransferPlan(count: Self.transferCount, seed: seed)
        let billPlan = BillPlan(count: Self.billCount, seed: seed)
        let began = ContinuousClock.now
        try await TopicProvisioner(kafka: kafka, topics: topics, partitions: 3, logger: Broker.logger).createTopics()

        // The stores exist before the first start: the accounts with their balances, and the
        // orchestrator's store, which the test reads while the server writes it.
        let accounts = try await AccountService(path: directory.appendingPathComponent("account.sqlite").path)
        try await TransferPlan.openAccounts(in: accounts)
        let sagas = try SQLiteSagaStore(path: directory.appendingPathComponent("orchestrator.sqlite").path)
        let environment = [
            "SAGA_ROLE": "all", "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrapServers.joined(separator: ","), "KAFKA_FETCH_WAIT_MAX_MS": Broker.fetchWaitSetting,
            "SAGA_DATA_DIR": directory.path, "SAGA_TOPIC_PREFIX": prefix, "SAGA_CONSUMER_GROUP_PREFIX": prefix,
            "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0", "SAGA_LOG_LEVEL": "warning", "SAGA_LOG_FORMAT": "text",
            "SAGA_AUTH_TOKENS": SystemTokens.entries,
            // A slow reply (a loaded machine, a restart) is re-requested, never given up on:
            // no step may run out of attempts because of the kills.
            "SAGA_STEP_TIMEOUT_SECONDS": "60", "SAGA_STEP_MAX_ATTEMPTS": "10", "SAGA_SHUTDOWN_TIMEOUT_SECONDS": "20",
        ]
        let progress = SagaProgress(store: sagas, total: Self.sagaCount, log: log)

        var server = try await KillableServer.start(environment: environment, log: log)
        let producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        let firstWave = plan.transfers.prefix(Self.transferCount * 3 / 5)
        let secondWave = plan.transfers.dropFirst(firstWave.count)
        try await TransferPlan.publish(firstWave, topic: topics.transferRequested, producer: producer)
        // Bills in three waves: at the start, after the first kill, and after the last one (so work
        // is still arriving when the last kill lands, however fast the rest ended).
        let billWaves = [billPlan.bills.prefix(40), billPlan.bills.dropFirst(40).prefix(40), billPlan.bills.dropFirst(80)]
        try await BillPlan.publish(billWaves[0], topic: topics.billSettlementRequested, producer: producer)
        try await TransferPlan.publish(firstWave.shuffled(using: &random).prefix(Self.resentPerRound),
            topic: topics.transferRequested, producer: producer)

        // Each kill lands when a random share of the transfers has ended (a band per kill, and
        // always after some progress since the last restart), so it hits sagas at every step.
        var killedAt: [Int] = []
        for kill in 1...Self.kills {
            let band = Double(kill) / Double(Self.kills + 1)
            var target = Int(Double(Self.sagaCount) * Double.random(in: (band - 0.07)...(band + 0.07), using: &random))
            target = max(target, (killedAt.last ?? 0) + 15)
            try await progress.wait(untilEnded: target, what: "\(target) sagas to end before kill \(kill)")
            try await server.kill()
            let ended = try await progress.ended()
            #expect(ended < Self.sagaCount, "kill \(kill) must land mid-run (\(ended) ended)")
            killedAt.append(ended)
            try appendLine("=== SIGKILL \(kill) with \(ended) of \(Self.sagaCount) sagas ended; restarting ===", to: log)
            server = try await KillableServer.start(environment: environment, log: log)
            switch kill {
            case 1:  // the rest of the transfers arrive while the system restarts
                try await TransferPlan.publish(secondWave, topic: topics.transferRequested, producer: producer)
                try await BillPlan.publish(billWaves[1], topic: topics.billSettlementRequested, producer: producer)
            case 2:  // resends of transfers of which many have ended
                try await TransferPlan.publish(firstWave.shuffled(using: &random).prefix(Self.resentPerRound),
                    topic: topics.transferRequested, producer: producer)
            case Self.kills:  // the last bills arrive after the last restart
                try await BillPlan.publish(billWaves[2], topic: topics.billSettlementRequested, producer: producer)
            default: break
            }
        }
        await producer.shutdown(timeout: .seconds(10))
        try await progress.wait(untilEnded: Self.sagaCount, what: "every saga to end after the last restart", within: 240)
        let status = try await server.terminate(within: 40)
        #expect(status == 0, "saga-server's exit status after SIGTERM (log: \(log.path))")

        // Every transfer's saga ended once, as its payee decides; no other saga started.
        let statuses = try await sagas.pool.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT saga_id, status FROM saga_instance").map {
                (row: Row) -> (String, String) in (row["saga_id"], row["status"])
            })
        }
        #expect(statuses.count == Self.sagaCount, "one saga per transfer id and bill id, resends included")
        var completed = 0, compensated = 0
        for transfer in plan.transfers {
            let expected = TransferPlan.completes(transfer) ? SagaStatus.completed : .compensated
            #expect(statuses[text(transfer.id)] == expected.rawValue, "transfer \(transfer.id) to \(transfer.payee)")
            if statuses[text(transfer.id)] == SagaStatus.completed.rawValue { completed += 1 }
            if statuses[text(transfer.id)] == SagaStatus.compensated.rawValue { compensated += 1 }
        }

        var settled = 0
        for bill in billPlan.bills {
            let expected = BillPlan.settles(bill) ? SagaStatus.completed : .compensated
            #expect(statuses[text(bill.id)] == expected.rawValue, "bill \(bill.id) owned by \(bill.owner)")
            if statuses[text(bill.id)] == SagaStatus.completed.rawValue { settled += 1 }
        }

        // The ledger: at most one posting of each kind per transfer (debit and credit of the
        // amount for a completed one, debit and refund to the payer for a refunded one).
        let postings = try await accounts.store.read("postings") { db in
            try db.rows("SELECT transfer_id, kind, vpa, amount_minor FROM postings").map { row in
                LedgerPosting(transferID: try row.text("transfer_id"), kind: try row.text("kind"), vpa: try row.text("vpa"),
                    amountMinor: try row.integer("amount_minor"))
            }
        }
        let byTransfer = Dictionary(grouping: postings, by: \.transferID)
        let billPostings = billPlan.expectedPostings
        #expect(Set(byTransfer.keys) == Set(plan.transfers.map { text($0.id) }).union(billPostings.keys),
            "postings belong to planned transfers and bill shares only")
        for (share, expected) in billPostings {
            #expect((byTransfer[share] ?? []).sorted { $0.kind < $1.kind } == expected, "postings of bill share \(share)")
        }
        for transfer in plan.transfers {
            let entries = byTransfer[text(transfer.id)] ?? []
            let kinds = entries.map(\.kind).sorted()
            let expected = TransferPlan.completes(transfer)
                ? [LedgerPosting(transferID: text(transfer.id), kind: "CREDIT", vpa: transfer.payee, amountMinor: transfer.amountMinor),
                   LedgerPosting(transferID: text(transfer.id), kind: "DEBIT", vpa: transfer.payer, amountMinor: transfer.amountMinor)]
                : [LedgerPosting(transferID: text(transfer.id), kind: "DEBIT", vpa: transfer.payer, amountMinor: transfer.amountMinor),
                   LedgerPosting(transferID: text(transfer.id), kind: "REFUND", vpa: transfer.payer, amountMinor: transfer.amountMinor)]
            #expect(entries.sorted { $0.kind < $1.kind } == expected, "postings of transfer \(transfer.id) (kinds \(kinds))")
            #expect(Set(kinds).count == kinds.count && !(kinds.contains("CREDIT") && kinds.contains("REFUND")),
                "transfer \(transfer.id) applied at most once")
        }

        // Balances: completed transfers moved exactly their amount, refunded ones nothing, and
        // the total (customers + clearing) is the starting total with nothing left in clearing.
        var expectedBalances = plan.expectedBalances
        billPlan.apply(to: &expectedBalances)
        for (vpa, balance) in expectedBalances.sorted(by: { $0.key < $1.key }) {
            #expect(try await accounts.account(vpa)?.balanceMinor == balance, "balance of \(vpa)")
        }
        let totals = try await accounts.totals()
        #expect(totals.balances + totals.clearing == TransferPlan.startingTotalMinor, "money conserved: \(totals)")
        #expect(totals.clearing == 0, "nothing left in clearing")
        #expect(totals.netDeposits == TransferPlan.startingTotalMinor, "no deposit or withdrawal besides the opening ones")

        let seconds = Double((ContinuousClock.now - began).components.seconds)
        print("""
            SystemCrashTests: \(Self.transferCount) transfers (+\(2 * Self.resentPerRound) resends), \(completed) completed, \
            \(compensated) compensated (refunded); \(Self.billCount) bills, \(settled) settled; \(killedAt.count) SIGKILLs at \(killedAt) ended, \(Int(seconds)) s, seed \(seed)
            """)
        try FileManager.default.removeItem(at: directory)
    }
}

/// One row of the account service's ledger.
struct LedgerPosting: Hashable, Sendable {
    var transferID: String
    var kind: String
    var vpa: String
    var amountMinor: Int64
}

/// How many of the transfer sagas have ended, read from the orchestrator's store.
struct SagaProgress: Sendable {
    let store: SQLiteSagaStore
    let total: Int
    let log: URL

    /// Completed plus compensated sagas. Throws as soon as one is parked `failed`: the kills
    /// must never exhaust a step's attempts.
    func ended() async throws -> Int {
        let counts = try await store.countByStatus()
        if let failed = counts[.failed], failed > 0 {
            let reasons = try await store.pool.read { db in
                try String.fetchAll(db, sql: "SELECT COALESCE(failure_reason, '?') FROM saga_instance WHERE status = 'failed' LIMIT 5")
            }
            throw ParkedSagas(count: failed, reasons: reasons, log: log.path)
        }
        return (counts[.completed] ?? 0) + (counts[.compensated] ?? 0)
    }

    /// Waits until at least `count` sagas have ended.
    func wait(untilEnded count: Int, what: String, within seconds: Double = 150) async throws {
        var last = 0
        do {
            try await eventually(what, within: seconds) {
                last = try await ended()
                return last >= count
            }
        } catch let error as TimedOut {
            throw TimedOut(what: "\(error.what) (\(last) of \(total) ended; saga-server log: \(log.path))")
        }
    }
}

/// Sagas were parked `failed`.
struct ParkedSagas: Error, CustomStringConvertible {
    var count: Int
    var reasons: [String]
    var log: String
    var description: String { "\(count) transfer sagas parked failed, e.g. \(reasons); saga-server log: \(log)" }
}

/// Appends `line` to the (existing) file at `url`; swift-system retries a write a signal interrupts.
func appendLine(_ line: String, to url: URL) throws {
    let file = try FileDescriptor.open(FilePath(url.path), .writeOnly, options: .append)
    try file.closeAfter { _ = try file.writeAll((line + "\n").utf8) }
}
