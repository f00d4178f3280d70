import AccountService
import Foundation
import SagaDev
import SagaPostgres
import SagaSystem

/// `sagactl dev --processes`: every role as its own `saga-server` process on loopback (the
/// compose topology), each with its own HTTP port and log file under `<data dir>/logs/`.
struct DevProcesses {
    let context: DevContext

    func run() async throws {
        let options = context.options
        let server = try ExecutableLocator().sagaServer(explicit: options.server)
        var settings = context.sharedSettings
        settings["SAGA_HTTP_HOST"] = "127.0.0.1"
        // The database is the one given to sagactl dev (or none: SQLite), never an inherited one.
        let inherited = ProcessInfo.processInfo.environment.filter { $0.key != "SAGA_DATABASE_URL" && $0.key != "SAGA_DATABASE_SCHEMA" }
        var configuration = LocalTopology.Configuration(
            server: server, bootstrapServers: context.bootstrapServers, dataDirectory: context.data.url, settings: settings,
            baseEnvironment: inherited, fixedPorts: options.httpPort == 0 ? [:] : [.api: options.httpPort]
        )
        if let database = options.database {
            for role in configuration.roles { configuration.roleSettings[role] = database.settings(of: role) }
        }
        let topology = LocalTopology(configuration: configuration)
        if options.demo {
            // The refusing payee lives in the account role's database: open it before the role starts.
            try await Self.prepareDemoAccounts(path: topology.databasePath(of: .account), database: options.database)
        }
        StandardStreams.writeError("sagactl dev: starting \(topology.configuration.roles.count) saga-server processes (\(server)) …")
        let startup = Task { try await topology.start() }
        let context = self.context
        // A signal during start-up stops what has started.
        let startSignal = Task {
            guard await context.firstSignal() != nil else { return false }
            startup.cancel()
            return true
        }
        do {
            try await startup.value
        } catch DevError.cancelled(_) {
            await topology.stopAll()
            StandardStreams.writeError("sagactl dev: start-up interrupted; every role stopped")
            return
        } catch {
            startSignal.cancel()
            await topology.stopAll()
            throw error
        }
        // A role that exits on its own (a crash) is reported at once, with its log.
        var watchers: [Task<Void, Never>] = []
        for role in topology.configuration.roles {
            guard let child = await topology.process(of: role) else { continue }
            watchers.append(Task {
                guard let status = await child.waitForExit() else { return }
                StandardStreams.writeError("sagactl dev: role \(role) exited with status \(status) (log: \(child.logFile.path))")
            })
        }
        var roleLines: [String] = []
        for role in topology.configuration.roles {
            let port = await topology.port(of: role).map(String.init) ?? "?"
            let pid = await topology.process(of: role).map { String($0.pid) } ?? "?"
            roleLines.append("  \(role.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0))http://127.0.0.1:\(port)  "
                + "pid \(pid)  log \(topology.logFile(of: role).path)")
        }
        let apiURL = await topology.url(of: .api)?.absoluteString ?? "?"
        let banner = DevBanner(context: context, mode: "one saga-server process per role")
        StandardStreams.write(Array(banner.text(httpURL: apiURL, extra: ["roles:"] + roleLines).utf8))

        var workloadTask: Task<(sent: Int, failed: Int), Never>?
        if options.demo {
            // Through the api role, as a client would: it forwards orders to the order role.
            guard let api = await topology.url(of: .api) else { throw CLIError.failed("the api role has no URL") }
            let workload = DemoWorkload(starter: HTTPSagaStarter(baseURL: api, token: context.tokens.producer.token), rate: options.rate)
            workloadTask = Task { await workload.run() }
        }
        let summaryTask = Task {
            if let database = options.database {
                await Self.reportSummaries(context: context, database: database)
            } else {
                await context.reportSummaries(storePath: topology.databasePath(of: .orchestrator))
            }
        }
        // Runs until the first SIGINT/SIGTERM.
        _ = await startSignal.value
        StandardStreams.writeError("sagactl dev: shutting down …")
        workloadTask?.cancel()
        if let sent = await workloadTask?.value {
            StandardStreams.writeError("sagactl dev: demo workload stopped after \(sent.sent) request(s), \(sent.failed) failed")
        }
        summaryTask.cancel()
        _ = await summaryTask.value
        for watcher in watchers { watcher.cancel() }
        let statuses = await topology.stopAll()
        let report = statuses.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
        StandardStreams.writeError("sagactl dev: roles stopped (exit status: \(report.joined(separator: ", ")))")
        let failed = statuses.filter { $0.value != 0 }
        if !failed.isEmpty {
            throw CLIError.failed("role(s) did not stop cleanly: \(failed.keys.map(\.rawValue).sorted().joined(separator: ", ")) (logs in \(context.data.url.path)/logs)")
        }
    }

    /// Opens the account role's database (its SQLite file, or its PostgreSQL schema, migrating it)
    /// and seeds the demo accounts and the refusing payee.
    static func prepareDemoAccounts(path: String, database: DevDatabase?) async throws {
        guard let database else {
            let accounts = try await AccountService(path: path)
            try await DemoData.seed(accounts)
            try await DemoWorkload.prepare(accounts)
            return
        }
        let accounts = try await AccountService(database: database.configuration(of: .account))
        try await withPostgres(accounts.store.postgres) {
            try await DemoData.seed(accounts)
            try await DemoWorkload.prepare(accounts)
        }
    }

    /// The summaries of the orchestrator's PostgreSQL schema (the orchestrator role has migrated it).
    static func reportSummaries(context: DevContext, database: DevDatabase) async {
        let store: PostgresSagaStore
        do {
            store = try await PostgresSagaStore.open(database.configuration(of: .orchestrator))
        } catch {
            StandardStreams.writeError("sagactl dev: cannot read the saga store: \(error)")
            return
        }
        do {
            try await withPostgres(store) { await context.reportSummaries { try await SagaTally.read(store) } }
        } catch {
            StandardStreams.writeError("sagactl dev: the saga store's connections failed: \(error)")
        }
    }

    /// Runs `body` while `store`'s connection pool runs, then closes the pool.
    static func withPostgres(_ store: PostgresSagaStore?, _ body: @escaping @Sendable () async throws -> Void) async throws {
        guard let store else { return try await body() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }
}
