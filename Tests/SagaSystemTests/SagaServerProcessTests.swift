import AccountService
import Foundation
import GRDB
import Kafka
import SagaContracts
import SagaCore
import SagaSQLite
import SagaSystem
import SagaTestSupport
import ServiceKit
import Testing

/// `saga-server` as a child process against the real broker (one test at a time: each starts
/// processes with several consumers on a shared machine).
@Suite(.serialized) struct SagaServerProcessTests {
    /// A fresh topic prefix and data directory, the topics created.
    struct Deployment {
        let prefix = "sys\(UUID().uuidString.prefix(8).lowercased())."
        let directory: URL
        let kafka: KafkaConfiguration
        let partitions: Int32

        init(partitions: Int32 = 1) async throws {
            self.partitions = partitions
            kafka = try Broker.configuration()
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("saga-system-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try await TopicProvisioner(kafka: kafka, topics: SagaTopics(prefix: prefix), partitions: partitions,
                logger: Broker.logger).createTopics()
        }

        var topics: SagaTopics { SagaTopics(prefix: prefix) }

        func environment(role: Role, _ extra: [String: String] = [:]) -> [String: String] {
            [
                "SAGA_ROLE": role.rawValue, "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrapServers.joined(separator: ","), "KAFKA_FETCH_WAIT_MAX_MS": Broker.fetchWaitSetting,
                "SAGA_DATA_DIR": directory.path, "SAGA_TOPIC_PREFIX": prefix, "SAGA_CONSUMER_GROUP_PREFIX": prefix,
                "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0", "SAGA_LOG_FORMAT": "text", "SAGA_SHUTDOWN_TIMEOUT_SECONDS": "20",
                "SAGA_AUTH_TOKENS": SystemTokens.entries,
            ].merging(extra) { $1 }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        /// Waits until every consumer of `server` (role `all`: the orchestrator and each
        /// participant, one group each) was assigned its partitions, as its log says.
        ///
        /// A server stopped before that leaves its groups, which Kafka handles; Tansu 0.6.0, the
        /// test broker, does not: a member that leaves while its group is still forming (Tansu
        /// holds a group's first JoinGroup for about 5 s) stays the group's leader although it
        /// is gone, so every later member of that group is answered RebalanceInProgress forever
        /// and is never assigned anything. Tests that stop a server and then join its groups
        /// again (a restart, the commit check) first wait here.
        func waitForAssignments(of server: ServerProcess) async throws {
            let consumed = topics.all.filter { $0 != topics.events }
            let wanted = consumed.flatMap { topic in (0..<partitions).map { "\(topic)[\($0)]" } }
            try await eventually("\(server.name)'s consumers to be assigned \(wanted)", within: 120) {
                if let status = server.exitStatus { throw ServerProcess.Exited(name: server.name, status: status, output: server.text) }
                let assigned = server.text.split(separator: "\n").filter { $0.contains("Kafka consumer assigned") }
                return wanted.allSatisfy { partition in assigned.contains { $0.contains(partition) } }
            }
        }
    }

    @Test func allRolesCompleteATransferShutDownOnSIGTERMAndCommitWhatTheyProcessed() async throws {
        let deployment = try await Deployment()
        defer { deployment.remove() }
        let environment = deployment.environment(role: .all, ["SAGA_SEED_DEMO_DATA": "true"])
        let first = try ServerProcess("saga-server --role all", environment: environment)
        defer { first.killIfRunning() }
        let port = try await first.port()
        let startup = try #require(first.text.split(separator: "\n").first { $0.contains("saga-server started, listening on 127.0.0.1:\(port)") })
        #expect(startup.contains("role=all") && startup.contains("librdkafka=") && startup.contains("SAGA_TOPIC_PREFIX=\(deployment.prefix)"))
        #expect(try await httpGet(port: port, "/healthz").status == 200)
        try await eventually("/readyz to answer 200") { try await httpGet(port: port, "/readyz").status == 200 }

        let (payer, payee) = (DemoData.accounts[0], DemoData.accounts[1])
        let completed = UUID(), failed = UUID()
        let producer = try KafkaProducer(configuration: deployment.kafka, logger: Broker.logger)
        try await requestTransfer(completed, from: payer.vpa, to: payee.vpa, amountMinor: 1_500, topics: deployment.topics, producer)
        try await requestTransfer(failed, from: payer.vpa, to: "nobody@nowhere", amountMinor: 700, topics: deployment.topics, producer)
        await producer.shutdown(timeout: .seconds(5))

        let sagas = try SQLiteSagaStore(path: deployment.directory.appendingPathComponent("orchestrator.sqlite").path)
        try await waitForEnd(of: completed, in: sagas)
        try await waitForEnd(of: failed, in: sagas)
        #expect(try await sagas.load(sagaID: text(completed))?.status == .completed)
        #expect(try await sagas.load(sagaID: text(failed))?.status != .completed)
        let accounts = try await AccountService(path: deployment.directory.appendingPathComponent("account.sqlite").path)
        #expect(try await accounts.account(payer.vpa)?.balanceMinor == payer.openingBalanceMinor - 1_500)
        #expect(try await accounts.account(payee.vpa)?.balanceMinor == payee.openingBalanceMinor + 1_500)

        try await deployment.waitForAssignments(of: first)
        let started = ContinuousClock.now
        #expect(try await first.terminate(within: 30) == 0, "exit status after SIGTERM; output:\n\(first.text)")
        #expect(ContinuousClock.now - started < .seconds(25), "graceful shutdown within SAGA_SHUTDOWN_TIMEOUT_SECONDS")
        let countsAfterFirstRun = try await sagas.countByStatus()

        // A restart with the same data and groups: seeding adds nothing, no saga starts again,
        // nothing is left unpublished in the outbox.
        let second = try ServerProcess("saga-server --role all (restart)", environment: environment)
        defer { second.killIfRunning() }
        let secondPort = try await second.port()
        try await eventually("/readyz after the restart") { try await httpGet(port: secondPort, "/readyz").status == 200 }
        #expect(second.text.contains("opened=0"), "demo accounts are not opened twice")
        #expect(try await accounts.account(payer.vpa)?.balanceMinor == payer.openingBalanceMinor - 1_500)
        #expect(try await sagas.countByStatus() == countsAfterFirstRun)
        try await deployment.waitForAssignments(of: second)
        #expect(try await second.terminate(within: 30) == 0, "exit status after SIGTERM; output:\n\(second.text)")
        let pending = try await sagas.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL") ?? -1
        }
        #expect(pending == 0)

        // The orchestrator's group committed everything it processed: reading in its group from
        // the committed offsets finds only fresh markers, nothing it had already consumed.
        try await expectNothingUncommitted(
            group: deployment.prefix + "orchestrator",
            topics: [deployment.topics.transferRequested, deployment.topics.orderPlaced, deployment.topics.transferReplies,
                     deployment.topics.orderReplies],
            kafka: deployment.kafka
        )
    }

    @Test func sigtermDuringABurstOfTransfersLosesNothingAndAppliesNothingTwice() async throws {
        let deployment = try await Deployment(partitions: 2)
        defer { deployment.remove() }
        let environment = deployment.environment(role: .all, ["SAGA_SEED_DEMO_DATA": "true"])
        let first = try ServerProcess("saga-server --role all", environment: environment)
        defer { first.killIfRunning() }
        let port = try await first.port()
        try await eventually("/readyz to answer 200") { try await httpGet(port: port, "/readyz").status == 200 }
        try await deployment.waitForAssignments(of: first)

        let accounts = DemoData.accounts
        let transfers = (0..<60).map { index in
            (id: UUID(), from: accounts[index % accounts.count].vpa, to: accounts[(index + 1) % accounts.count].vpa,
             amount: Int64(100 + index))
        }
        let producer = try KafkaProducer(configuration: deployment.kafka, logger: Broker.logger)
        for transfer in transfers {
            try await requestTransfer(transfer.id, from: transfer.from, to: transfer.to, amountMinor: transfer.amount,
                topics: deployment.topics, producer)
        }
        await producer.shutdown(timeout: .seconds(5))
        let sagas = try SQLiteSagaStore(path: deployment.directory.appendingPathComponent("orchestrator.sqlite").path)
        // Stop while the burst is in flight: some sagas have started, not all have ended.
        try await eventually("the first sagas to start") { try await sagas.countByStatus().values.reduce(0, +) >= 5 }
        #expect(try await first.terminate(within: 30) == 0, "exit status after SIGTERM; output:\n\(first.text)")
        let endedAtStop = try await sagas.countByStatus().filter { $0.key.isTerminal }.values.reduce(0, +)

        let second = try ServerProcess("saga-server --role all (restart)", environment: environment)
        defer { second.killIfRunning() }
        _ = try await second.port()
        for transfer in transfers { try await waitForEnd(of: transfer.id, in: sagas, server: second) }
        #expect(try await second.terminate(within: 30) == 0, "exit status after SIGTERM; output:\n\(second.text)")

        let ledger = try await AccountService(path: deployment.directory.appendingPathComponent("account.sqlite").path)
        let totals = try await ledger.totals()
        #expect(totals.balances == DemoData.totalOpeningBalanceMinor && totals.clearing == 0,
            "money conserved (\(endedAtStop) of \(transfers.count) sagas had ended at the stop)")
        for transfer in transfers {
            #expect(try await sagas.load(sagaID: text(transfer.id))?.status == .completed)
            let kinds = try await ledger.postings(transferID: transfer.id).map(\.kind).sorted()
            #expect(kinds == ["CREDIT", "DEBIT"], "transfer \(transfer.id) posted once each way")
        }
    }

    @Test func eachSingleRoleStartsIsReadyAndStopsOnSIGTERM() async throws {
        let deployment = try await Deployment()
        defer { deployment.remove() }
        let roles = Role.allCases.filter { $0 != .all }
        let servers = try roles.map { role in
            var extra: [String: String] = [:]
            if role == .api { extra = ["SAGA_ORDER_URL": "http://127.0.0.1:1", "SAGA_ORCHESTRATOR_URL": "http://127.0.0.1:2"] }
            if role == .payment { extra = ["SAGA_DATABASE_PATH": deployment.directory.appendingPathComponent("pay-custom.sqlite").path] }
            return (role, try ServerProcess("saga-server --role \(role)", environment: deployment.environment(role: role, extra)))
        }
        defer { for (_, server) in servers { server.killIfRunning() } }
        for (role, server) in servers {
            let port = try await server.port()
            try await eventually("\(role) /readyz to answer 200") { try await httpGet(port: port, "/readyz").status == 200 }
            #expect(try await httpGet(port: port, "/healthz").status == 200)
            #expect(try await httpGet(port: port, "/metrics").status == 200)
        }
        for (role, server) in servers {
            #expect(try await server.terminate(within: 30) == 0, "\(role) exit status; output:\n\(server.text)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: deployment.directory.path).filter { $0.hasSuffix(".sqlite") }
        // The api role's file is its idempotency ledger of POST /transfers.
        #expect(Set(files) == ["orchestrator.sqlite", "order.sqlite", "inventory.sqlite", "pay-custom.sqlite", "account.sqlite",
                               "notification.sqlite", "api.sqlite"])
    }

    @Test func printEnvNamesListsExactlyTheVariablesRead() async throws {
        let server = try ServerProcess("saga-server --print-env-names", arguments: ["--print-env-names"], environment: [:])
        try await eventually("--print-env-names to exit") { server.exitStatus != nil }
        #expect(server.exitStatus == 0)
        #expect(server.text.split(separator: "\n").map(String.init) == SagaServerSettings.environmentVariableNames)
    }

    @Test func invalidSettingsExitWithStatus78AndNameTheVariable() async throws {
        let server = try ServerProcess("saga-server --role payments", arguments: ["--role", "payments"],
            environment: ["KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"])
        try await eventually("saga-server to exit") { server.exitStatus != nil }
        #expect(server.exitStatus == 78)
        #expect(server.text.contains("invalid SAGA_ROLE (--role) 'payments'"))
    }

    /// A port in use is a clear error and a clean exit (status 1), not a crash: the other
    /// services, already running, are cancelled and close within the shutdown budget.
    @Test func anHTTPPortInUseIsAnErrorNotACrash() async throws {
        let deployment = try await Deployment()
        defer { deployment.remove() }
        let first = try ServerProcess("saga-server --role order", environment: deployment.environment(role: .order))
        defer { first.killIfRunning() }
        let port = try await first.port()
        let second = try ServerProcess("saga-server --role all on a taken port",
            environment: deployment.environment(role: .all, [
                "SAGA_HTTP_PORT": String(port), "SAGA_DATA_DIR": deployment.directory.appendingPathComponent("second").path,
            ]))
        defer { second.killIfRunning() }
        try await eventually("the second saga-server to exit", within: 60) { second.exitStatus != nil }
        #expect(second.exitStatus == 1, "\(second.text)")
        #expect(second.text.contains("saga-server failed"), "\(second.text)")
        #expect(try await first.terminate(within: 30) == 0)
    }

    // MARK: Helpers

    func requestTransfer(_ id: UUID, from payer: String, to payee: String, amountMinor: Int64, topics: SagaTopics,
        _ producer: KafkaProducer) async throws
    {
        _ = try await producer.send(KafkaMessage(try StartEvent.transferRequested(
            transferID: id, payer: payer, payee: payee, amountMinor: amountMinor, source: "saga-system-tests",
            topic: topics.transferRequested)))
    }

    /// Waits until saga `id` has ended; on a timeout the error says where the saga stood and
    /// shows the end of `server`'s output.
    func waitForEnd(of id: UUID, in store: any SagaStore, server: ServerProcess? = nil) async throws {
        do {
            try await eventually("saga \(id) to end", within: 180) {
                guard let state = try await store.load(sagaID: text(id)) else { return false }
                return state.status.isTerminal || state.status == .failed
            }
        } catch {
            let state = try? await store.load(sagaID: text(id))
            let history = (try? await store.history(sagaID: text(id))) ?? []
            Issue.record("""
                saga \(id) did not end: \(state.map { "\($0.status) at step \($0.stepIndex) attempt \($0.attempt)" } ?? "never started")
                history: \(history.map { "\($0)" })
                server output (end):
                \(String(server?.text.suffix(4_000) ?? ""))
                """)
            throw error
        }
    }

    /// Joins `group`, then writes a marker to each topic (one partition each) and reads until
    /// every marker arrived: anything else read was consumed but not committed by the group.
    func expectNothingUncommitted(group: String, topics: [String], kafka: KafkaConfiguration) async throws {
        var configuration = kafka
        configuration.groupID = group
        configuration.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: configuration, logger: Broker.logger)
        try consumer.subscribe(to: topics)
        let marker = "marker-\(UUID().uuidString)"
        let reader = Task { () throws -> (unexpected: [String], markers: Int) in
            var unexpected: [String] = []
            var markers = Set<String>()
            for try await message in consumer.messages {
                if message.value.map({ String(decoding: $0, as: UTF8.self) }) == marker {
                    markers.insert(message.topicPartition.topic)
                } else {
                    unexpected.append("\(message.topicPartition.topic)@\(message.offset)")
                }
                if markers.count == topics.count { break }
            }
            return (unexpected, markers.count)
        }
        // Tansu holds a forming group's first JoinGroup about 5 s; a member of the server that
        // had not left would be evicted after the server's session.timeout.ms (10 s, the
        // SagaServerSettings default). A generous multiple of both, for a loaded machine.
        try await eventually("""
            the check consumer to be assigned its partitions in group \(group) (Tansu join window ~5 s; \
            saga-server session.timeout.ms 10000, check consumer session.timeout.ms \
            \(configuration.sessionTimeout.map { "\($0.components.seconds * 1000)" } ?? "default"))
            """, within: 120) { consumer.assignment.count == topics.count }
        let producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        for topic in topics { _ = try await producer.send(KafkaMessage(topic: topic, key: "marker", value: marker)) }
        await producer.shutdown(timeout: .seconds(5))
        let guardTask = Task { try await Task.sleep(for: .seconds(120)); reader.cancel() }
        defer { guardTask.cancel() }
        let (unexpected, markers) = try await reader.value
        await consumer.close()
        #expect(markers == topics.count, "every marker was read back")
        #expect(unexpected.isEmpty, "messages the orchestrator's group had not committed: \(unexpected)")
    }
}
