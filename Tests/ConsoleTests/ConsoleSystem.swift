import AccountService
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Kafka
import SagaAPI
import SagaContracts
import SagaCore
import SagaKafka
import SagaSQLite
import SagaSystem
import SagaTestSupport
import ServiceKit
import ServiceLifecycle
import Synchronization
import Testing

/// The system the browser drives: every role but `account` as its own ``SagaSystem`` in this
/// process (the api role serving the console and forwarding to the order and orchestrator roles),
/// on the test broker under a fresh topic prefix. The account service's commands are answered by
/// this test's own participant on `account.commands`: the real account handler, except that a
/// credit to ``stuckPayee`` always answers "try again", so its transfer's pivot never ends and the
/// saga parks (deterministically, without waiting for reply timeouts).
final class ConsoleSystem: Sendable {
    /// The payee whose credits never go through.
    static let stuckPayee = "stuck@okbank"
    /// The payer of the parked transfer.
    static let payer = "asha@okbank"
    /// The payment simulator's limit: an order above it is declined and compensated.
    static let paymentLimitMinor: Int64 = 100_000

    /// Tokens of this system (only their hashes are configured).
    static let `operator` = AccessToken.generate(name: "console-operator", role: .operator)
    static let producer = AccessToken.generate(name: "console-producer", role: .producer)

    let topics: SagaTopics
    let kafka: KafkaConfiguration
    let apiPort: Int
    let accounts: AccountService
    /// The orchestrator role's store (the test removes a finished saga in it, as the retention does).
    let orchestratorStore: any SagaReportStore
    private let directory: TemporaryDirectory
    private let groups: [ServiceGroup]
    private let runs: [Task<Void, any Error>]

    private init(topics: SagaTopics, kafka: KafkaConfiguration, apiPort: Int, accounts: AccountService,
                 orchestratorStore: any SagaReportStore, directory: TemporaryDirectory, groups: [ServiceGroup],
                 runs: [Task<Void, any Error>]) {
        self.orchestratorStore = orchestratorStore
        self.topics = topics
        self.kafka = kafka
        self.apiPort = apiPort
        self.accounts = accounts
        self.directory = directory
        self.groups = groups
        self.runs = runs
    }

    /// Starts the roles and the account participant, and waits until the api role is ready.
    static func start() async throws -> ConsoleSystem {
        let kafka = try Broker.configuration()
        let prefix = "con\(UUID().uuidString.prefix(8).lowercased())."
        let directory = try TemporaryDirectory()
        let base: [String: String] = [
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrapServers.joined(separator: ","), "KAFKA_FETCH_WAIT_MAX_MS": Broker.fetchWaitSetting,
            "SAGA_DATA_DIR": directory.path, "SAGA_TOPIC_PREFIX": prefix, "SAGA_CONSUMER_GROUP_PREFIX": prefix,
            "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0", "SAGA_SEED_DEMO_DATA": "true",
            "SAGA_AUTH_TOKENS": [`operator`, producer].map(\.entry.entry).joined(separator: ","),
            "SAGA_STEP_MAX_ATTEMPTS": "2", "SAGA_PAYMENT_LIMIT_MINOR": String(paymentLimitMinor),
            "SAGA_SHUTDOWN_TIMEOUT_SECONDS": "10",
        ]
        var groups: [ServiceGroup] = []
        var runs: [Task<Void, any Error>] = []
        func start(_ role: Role, _ extra: [String: String] = [:]) async throws -> (SagaSystem, Int) {
            var settings = try SagaServerSettings(environment: base.merging(["SAGA_ROLE": role.rawValue]) { $1 }.merging(extra) { $1 })
            settings.kafka.sessionTimeout = kafka.sessionTimeout
            settings.kafka.heartbeatInterval = kafka.heartbeatInterval
            if role == .orchestrator {
                try await TopicProvisioner(kafka: settings.kafka, topics: settings.topics, partitions: 1, logger: Broker.logger).createTopics()
            }
            let system = try await SagaSystem(settings: settings, logger: Broker.logger)
            let port = Mutex<Int?>(nil)
            let group = try system.serviceGroup(gracefulShutdownSignals: [], onListening: { _, bound in port.withLock { $0 = bound } })
            groups.append(group)
            runs.append(Task { try await group.run() })
            try await eventually("the \(role) role to listen", within: 60) { port.withLock { $0 } != nil }
            return (system, try #require(port.withLock { $0 }))
        }
        let (orchestrator, orchestratorPort) = try await start(.orchestrator)
        let orchestratorStore = try #require(orchestrator.components.orchestratorStore)
        let (_, orderPort) = try await start(.order)
        for role in [Role.inventory, .payment, .notification] { _ = try await start(role) }
        let (api, apiPort) = try await start(.api, [
            "SAGA_ORDER_URL": "http://127.0.0.1:\(orderPort)", "SAGA_ORCHESTRATOR_URL": "http://127.0.0.1:\(orchestratorPort)",
        ])
        let topics = api.settings.topics

        let accounts = try await AccountService(path: directory.file("account.sqlite"))
        try await accounts.open(vpa: payer, holder: "Asha")
        try await accounts.deposit(vpa: payer, amountMinor: 1_000_000)
        try await accounts.open(vpa: stuckPayee, holder: "Stuck")
        let participant = SagaParticipant(store: accounts.store, consumerName: AccountService.name) { command, db in
            if command.messageType == CreditPayee.messageType, try command.decode(CreditPayee.self).payeeVpa == stuckPayee {
                return .retriableFailure(reason: "UNAVAILABLE: the payee's bank did not answer")
            }
            return try AccountService.handle(command, db)
        }
        let service = SagaParticipantService(
            participant: participant, kafka: kafka, topics: [topics.accountCommands], groupID: prefix + "account",
            retry: .exponential(maxAttempts: 2, initial: .milliseconds(10)), logger: Broker.logger
        )
        runs.append(Task { try await service.run() })
        let system = ConsoleSystem(topics: topics, kafka: kafka, apiPort: apiPort, accounts: accounts,
                                   orchestratorStore: orchestratorStore, directory: directory, groups: groups, runs: runs)
        try await eventually("the api role to be ready", within: 60) { try await system.get("/readyz").status == 200 }
        return system
    }

    /// Stops every role (the account participant by cancellation) and waits for them.
    func stop() async {
        for group in groups.reversed() { await group.triggerGracefulShutdown() }
        for run in runs.dropFirst(groups.count) { run.cancel() }
        for run in runs { _ = await run.result }
    }

    /// The console's address.
    var consoleURL: String { "http://127.0.0.1:\(apiPort)/console" }

    /// GET on the api role with `token` (the operator's unless said): status and body.
    func get(_ path: String, token: String? = ConsoleSystem.operator.token) async throws -> (status: Int, body: String) {
        try await send("GET", path, token: token, body: nil)
    }

    /// POST of a JSON body on the api role: status and body.
    func post(_ path: String, token: String, json: String) async throws -> (status: Int, body: String) {
        try await send("POST", path, token: token, body: json)
    }

    private func send(_ method: String, _ path: String, token: String?, body: String?) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(apiPort)\(path)")))
        request.httpMethod = method
        if let token { request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (try #require(response as? HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    /// The JSON of a GET that must answer 200.
    func json(_ path: String) async throws -> [String: Any] {
        let (status, body) = try await get(path)
        guard status == 200 else { throw ConsoleTestError("GET \(path) answered \(status): \(body)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    /// Publishes bytes that are no Avro record of any contract to `topic`, as a broken producer would.
    func publishMalformed(to topic: String, key: String) async throws {
        let producer = try KafkaProducer(configuration: kafka, logger: Broker.logger)
        _ = try await producer.send(KafkaMessage(topic: topic, key: key, value: "this is not an Avro record"))
        await producer.shutdown(timeout: .seconds(5))
    }
}

/// A check of the console test that did not hold, saying what was seen.
struct ConsoleTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
