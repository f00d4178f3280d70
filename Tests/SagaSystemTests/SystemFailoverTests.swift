import AccountService
import Foundation
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSystem
import SagaTestSupport
import ServiceKit
import Testing

extension PostgresProcessSuites {
    /// Replicas that fail over: two orchestrator replicas and two account replicas, one process of
    /// every other role, all on PostgreSQL (one schema per role, shared by a role's replicas), run
    /// 1,000 transfers and some orders started over the HTTP API. One orchestrator replica and one
    /// account replica are SIGKILLed, twice each, at random points of the run: each time the
    /// survivor is assigned every partition of the role within the session timeout, then the killed
    /// replica is restarted. At the end every saga has ended as it should, each posting was applied
    /// once, money is conserved, no attempt of a step was decided twice, every outbox row was
    /// published and nothing was dead-lettered.
    @Suite(.serialized, .timeLimit(.minutes(10)), .enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
    struct SystemFailoverTests {
        static let transferCount = 1_000
        static let ordersPerWave = 5
        static let waves = 4
        static let partitions: Int32 = 4

        /// One SIGKILL and what followed it.
        struct Kill: CustomStringConvertible {
            var replica: String
            var ended: Int
            var started: Int
            /// From the SIGKILL until the survivor held every partition of the role.
            var reassigned: Duration
            /// From the SIGKILL until the last saga in flight at that moment had ended.
            var inFlightEnded: Double?
            var killedAt: Date
            var inFlight: [String]

            var description: String {
                let settled = inFlightEnded.map { String(format: "%.1f s", $0) } ?? "-"
                return "\(replica) at \(ended)/\(started) ended: reassigned in \(String(format: "%.1f", reassigned.timeInterval)) s, "
                    + "its \(inFlight.count) in-flight sagas ended \(settled) after the kill"
            }
        }

        @Test func replicasSIGKILLedMidRunLoseNothing() async throws {
            let began = ContinuousClock.now
            let deployment = try await SagaServerProcessTests.Deployment(partitions: Self.partitions)
            let databaseURL = try #require(TestDatabase.url)
            let url = try PostgresDatabaseURL(parsing: databaseURL)
            let schemaPrefix = TestDatabase.freshSchema("fo")
            func schema(_ role: Role) -> String { "\(schemaPrefix)_\(role.rawValue)" }
            let topics = deployment.topics
            let seed = UInt64.random(in: 0...UInt64.max)
            var random = SplitMix64(seed: seed)
            let plan = TransferPlan(count: Self.transferCount, seed: seed)

            // The accounts exist before the roles start; the test reads the orchestrator's schema as a replica would.
            let accounts = try await AccountService(database: PostgresStoreConfiguration(url: url, schema: schema(.account)), logger: Broker.logger)
            let sagas = try await PostgresSagaStore.open(PostgresStoreConfiguration(url: url, schema: schema(.orchestrator)), logger: Broker.logger)
            let pools = [accounts.store.postgres, sagas].compactMap { $0 }.map { store in Task { try await store.run() } }
            defer { pools.forEach { $0.cancel() } }
            try await TransferPlan.openAccounts(in: accounts)

            func environment(_ role: Role, _ extra: [String: String] = [:]) -> [String: String] {
                deployment.environment(role: role, [
                    "SAGA_DATABASE_URL": databaseURL, "SAGA_DATABASE_SCHEMA": schema(role), "SAGA_LOG_LEVEL": "info",
                    // A reply delayed by a failover is re-requested, never given up on.
                    "SAGA_STEP_TIMEOUT_SECONDS": "60", "SAGA_STEP_MAX_ATTEMPTS": "10",
                ].merging(extra) { $1 })
            }
            func start(_ name: String, _ role: Role, _ extra: [String: String] = [:]) async throws -> Replica {
                try await Replica.start(name: name, role: role, environment: environment(role, extra),
                    log: deployment.directory.appendingPathComponent("\(name).log"))
            }
            var replicas: [Role: [Replica]] = [
                .orchestrator: [try await start("orchestrator-1", .orchestrator), try await start("orchestrator-2", .orchestrator)],
                .account: [try await start("account-1", .account), try await start("account-2", .account)],
            ]
            var others = [try await start("order", .order), try await start("inventory", .inventory, ["SAGA_SEED_DEMO_DATA": "true"]),
                          try await start("payment", .payment), try await start("notification", .notification)]
            let orderPort = try await others[0].port()
            let firstOrchestrator = try #require(replicas[.orchestrator]?.first)
            let orchestratorPort = try await firstOrchestrator.port()
            others.append(try await start("api", .api, [
                "SAGA_ORDER_URL": "http://127.0.0.1:\(orderPort)", "SAGA_ORCHESTRATOR_URL": "http://127.0.0.1:\(orchestratorPort)",
            ]))
            let apiPort = try await others[4].port()
            try await eventually("the api role to be ready", within: 120) { try await httpGet(port: apiPort, "/readyz").status == 200 }

            // Every partition of the role's topics, which its two replicas share.
            func partitions(_ names: [String]) -> Set<String> {
                Set(names.flatMap { topic in (0..<Self.partitions).map { "\(topic)[\($0)]" } })
            }
            let wanted: [Role: Set<String>] = [
                .orchestrator: partitions([topics.orderPlaced, topics.transferRequested, topics.billSettlementRequested,
                                           topics.orderReplies, topics.transferReplies, topics.billReplies]),
                .account: partitions([topics.accountCommands]),
            ]
            /// Both replicas of `role` hold partitions and together all of them (a formed group).
            func waitForSharedAssignment(_ role: Role) async throws {
                let pair = try #require(replicas[role])
                let all = try #require(wanted[role])
                try await eventually("\(role)'s replicas to share \(all.count) partitions", within: 120) {
                    for replica in pair where replica.server.exitStatus != nil {
                        throw ServerProcess.Exited(name: replica.name, status: replica.server.exitStatus ?? -1, output: replica.output)
                    }
                    let held = pair.map { $0.assignment(prefix: deployment.prefix) }
                    return held.allSatisfy { !$0.isEmpty } && held[0].union(held[1]) == all
                }
            }
            try await waitForSharedAssignment(.orchestrator)
            try await waitForSharedAssignment(.account)
            for other in others where other.role.consumes { try await other.waitUntilAssigned(prefix: deployment.prefix) }

            // Four waves of transfers (and a few orders); each wave's kill lands when a random share of it has ended.
            var transfers: [TransferPlan.Transfer] = []
            var orders: [String] = []
            var kills: [Kill] = []
            var finishedBefore: [String: Int] = [:]  // counters of killed incarnations, read just before each kill
            let waveSize = Self.transferCount / Self.waves
            for wave in 0..<Self.waves {
                let endedBefore = try await FailoverWorkload.ended(sagas)
                let posted = try await FailoverWorkload.postTransfers(plan.transfers[(wave * waveSize)..<((wave + 1) * waveSize)], apiPort: apiPort)
                transfers += posted
                orders += try await FailoverWorkload.postOrders(Self.ordersPerWave, apiPort: apiPort)
                let started = transfers.count + orders.count
                let target = endedBefore + Int(Double(posted.count) * Double.random(in: 0.15...0.6, using: &random))
                try await eventually("\(target) sagas to end before kill \(wave + 1)", within: 150) { try await FailoverWorkload.ended(sagas) >= target }

                let role: Role = wave.isMultiple(of: 2) ? .orchestrator : .account
                let victim = Int.random(in: 0...1, using: &random)
                try await waitForSharedAssignment(role)
                var pair = try #require(replicas[role])  // written back after the restart
                let counter = role == .orchestrator ? "saga_ended_total" : "saga_messages_processed_total"
                finishedBefore[pair[victim].name, default: 0] += try await pair[victim].counter(counter)
                let killedAt = Date()
                let clock = ContinuousClock.now
                try await pair[victim].kill()
                let ended = try await FailoverWorkload.ended(sagas)
                #expect(ended < started, "kill \(wave + 1) must land mid-run (\(ended) of \(started) ended)")
                let inFlight = try await FailoverWorkload.inFlight(sagas)
                let survivor = pair[1 - victim]
                try await eventually("\(survivor.name) to hold every \(role) partition after \(pair[victim].name)'s SIGKILL", within: 60) {
                    survivor.assignment(prefix: deployment.prefix) == wanted[role]
                }
                let reassigned = ContinuousClock.now - clock
                kills.append(Kill(replica: pair[victim].name, ended: ended, started: started, reassigned: reassigned,
                    killedAt: killedAt, inFlight: inFlight))
                try appendLine("=== SIGKILL \(wave + 1): \(kills[wave]) ===", to: pair[victim].log)
                try await pair[victim].restart()
                replicas[role] = pair
                try await waitForSharedAssignment(role)
            }

            let total = transfers.count + orders.count
            try await eventually("all \(total) sagas to end after the last restart", within: 240) {
                try await FailoverWorkload.ended(sagas) == total
            }
            for index in kills.indices {
                kills[index].inFlightEnded = try await FailoverWorkload.lastUpdate(of: kills[index].inFlight, in: sagas)
                    .map { $0 - kills[index].killedAt.timeIntervalSince1970 }
            }

            // Every saga ended once, as its payee decides (orders: confirmed); no other saga started.
            let statuses = try await FailoverWorkload.statuses(sagas)
            #expect(statuses.count == total, "one saga per transfer and order")
            for transfer in transfers {
                let expected = TransferPlan.completes(transfer) ? SagaStatus.completed : .compensated
                #expect(statuses[text(transfer.id)] == expected.rawValue, "transfer \(transfer.id) to \(transfer.payee)")
            }
            for order in orders { #expect(statuses[order] == SagaStatus.completed.rawValue, "order \(order)") }

            // The ledger: exactly the planned postings, each once; balances as planned; money conserved.
            let postings = try await accounts.store.read("postings") { db in
                try db.rows("SELECT transfer_id, kind, vpa, amount_minor FROM postings").map { row in
                    LedgerPosting(transferID: try row.text("transfer_id"), kind: try row.text("kind"), vpa: try row.text("vpa"),
                        amountMinor: try row.integer("amount_minor"))
                }
            }
            let byTransfer = Dictionary(grouping: postings, by: \.transferID)
            #expect(Set(byTransfer.keys) == Set(transfers.map { text($0.id) }), "postings belong to the transfers only")
            for transfer in transfers {
                let id = text(transfer.id)
                let expected = TransferPlan.completes(transfer)
                    ? [LedgerPosting(transferID: id, kind: "CREDIT", vpa: transfer.payee, amountMinor: transfer.amountMinor),
                       LedgerPosting(transferID: id, kind: "DEBIT", vpa: transfer.payer, amountMinor: transfer.amountMinor)]
                    : [LedgerPosting(transferID: id, kind: "DEBIT", vpa: transfer.payer, amountMinor: transfer.amountMinor),
                       LedgerPosting(transferID: id, kind: "REFUND", vpa: transfer.payer, amountMinor: transfer.amountMinor)]
                #expect((byTransfer[id] ?? []).sorted { $0.kind < $1.kind } == expected, "postings of transfer \(id)")
            }
            for (vpa, balance) in plan.expectedBalances.sorted(by: { $0.key < $1.key }) {
                #expect(try await accounts.account(vpa)?.balanceMinor == balance, "balance of \(vpa)")
            }
            let totals = try await accounts.totals()
            #expect(totals.balances + totals.clearing == TransferPlan.startingTotalMinor && totals.clearing == 0, "money conserved: \(totals)")

            // Every outbox row of every role was published; nothing was dead-lettered; no attempt decided twice.
            var unpublished: [String: Int] = [:]
            try await eventually("every outbox row to be published", within: 60) {
                unpublished = try await FailoverWorkload.unpublished(schemaPrefix: schemaPrefix, in: sagas)
                return unpublished.count >= 6 && unpublished.values.allSatisfy { $0 == 0 }
            }
            #expect(try await FailoverWorkload.deadLetters(on: topics, kafka: deployment.kafka).isEmpty)
            let commands = try await FailoverWorkload.commands(on: topics, kafka: deployment.kafka)
            #expect(commands.attemptsDecidedTwice.isEmpty, "attempts sent under two message ids: \(commands.attemptsDecidedTwice.prefix(10))")

            // Sagas ended per orchestrator replica and commands processed per account replica (counters of
            // killed incarnations read just before their SIGKILL, the rest now).
            var finished = finishedBefore
            for replica in replicas.values.flatMap({ $0 }) {
                finished[replica.name, default: 0] += try await replica.counter(replica.role == .orchestrator ? "saga_ended_total" : "saga_messages_processed_total")
            }
            for replica in replicas.values.flatMap({ $0 }) + others {
                #expect(try await replica.server.terminate(within: 40) == 0, "\(replica.name)'s exit status after SIGTERM (log: \(replica.log.path))")
            }
            let seconds = (ContinuousClock.now - began).timeInterval
            func perReplica(_ role: String) -> String {
                finished.filter { $0.key.hasPrefix(role) }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            print("""
                SystemFailoverTests: \(transfers.count) transfers + \(orders.count) orders on PostgreSQL, 2 orchestrator + 2 account replicas; \
                \(kills.count) SIGKILLs: \(kills.map(\.description).joined(separator: "; ")); \
                sagas ended per orchestrator replica \(perReplica("orchestrator")), commands processed per account replica \(perReplica("account")); \
                \(commands.records) command records, \(commands.records - commands.distinctMessages) republished; \
                \(String(format: "%.0f", seconds)) s, seed \(seed)
                """)
            // Kept when the test fails: the replicas' logs are there.
            deployment.remove()
        }
    }
}
