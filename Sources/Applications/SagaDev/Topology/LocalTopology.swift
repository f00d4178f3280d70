import Foundation
import SagaSystem

/// Every role of the saga system as its own `saga-server` process on loopback — the topology
/// of the compose file, on one machine: each role with its own HTTP port, data directory
/// (`<data dir>/<role>.sqlite`), consumer group and log file (`<data dir>/logs/<role>.log`).
/// The broker is not part of it (see ``TansuBroker``); create the topics before ``start()``.
///
/// ```swift
/// let topology = LocalTopology(configuration: .init(server: serverPath, bootstrapServers: broker.bootstrapServers,
///     dataDirectory: dataDir))
/// try await topology.start()                 // every role, each ready (/readyz 200)
/// try await topology.stop(.payment)          // SIGTERM: a graceful stop
/// try await topology.start(.payment)
/// await topology.kill(.account)              // SIGKILL
/// try await topology.restart(.account)
/// await topology.stopAll()
/// ```
public actor LocalTopology {
    /// What the topology runs.
    public struct Configuration: Sendable {
        /// The `saga-server` executable.
        public var server: String
        /// `KAFKA_BOOTSTRAP_SERVERS` of every role.
        public var bootstrapServers: String
        /// The data directory (each role's SQLite file, and `logs/`).
        public var dataDirectory: URL
        /// The roles, in start order (``stopAll()`` stops them in reverse).
        public var roles: [Role]
        /// Bind address of every HTTP server.
        public var host: String
        /// Settings given to every role (e.g. `SAGA_TOPIC_PREFIX`, `SAGA_STEP_TIMEOUT_SECONDS`),
        /// over the inherited environment and under the per-role ones the topology sets.
        public var settings: [String: String]
        /// The environment the children inherit (the per-role variables of it — role, data
        /// directory, HTTP address, URLs, bootstrap servers — are replaced by the topology's own).
        public var baseEnvironment: [String: String]
        /// How long a role may take to answer `/readyz` with 200.
        public var readyTimeout: Duration
        /// How long a SIGTERM may take before SIGKILL.
        public var stopTimeout: Duration
        /// HTTP ports to use for some roles (the others get free ports).
        public var fixedPorts: [Role: Int]
        /// Settings of single roles, over ``settings`` (e.g. each role's `SAGA_DATABASE_SCHEMA`).
        public var roleSettings: [Role: [String: String]] = [:]

        /// A configuration running every single role (not `all`), api last.
        public init(
            server: String, bootstrapServers: String, dataDirectory: URL,
            roles: [Role] = [.orchestrator, .order, .inventory, .payment, .account, .notification, .api],
            host: String = "127.0.0.1", settings: [String: String] = [:],
            baseEnvironment: [String: String] = ProcessInfo.processInfo.environment,
            readyTimeout: Duration = .seconds(90), stopTimeout: Duration = .seconds(40), fixedPorts: [Role: Int] = [:]
        ) {
            self.fixedPorts = fixedPorts
            self.server = server
            self.bootstrapServers = bootstrapServers
            self.dataDirectory = dataDirectory
            self.roles = roles
            self.host = host
            self.settings = settings
            self.baseEnvironment = baseEnvironment
            self.readyTimeout = readyTimeout
            self.stopTimeout = stopTimeout
        }
    }

    /// The configuration.
    public nonisolated let configuration: Configuration
    private var ports: [Role: Int] = [:]
    private var children: [Role: ChildProcess] = [:]

    /// A topology that runs nothing until ``start()``.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The HTTP port of `role` (fixed at the first start, kept across restarts).
    public func port(of role: Role) -> Int? { ports[role] }

    /// The base URL of `role`'s HTTP server.
    public func url(of role: Role) -> URL? {
        ports[role].flatMap { URL(string: "http://\(configuration.host):\($0)") }
    }

    /// The process of `role` while it runs.
    public func process(of role: Role) -> ChildProcess? { children[role].flatMap { $0.isRunning ? $0 : nil } }

    /// The log file of `role`.
    public nonisolated func logFile(of role: Role) -> URL {
        configuration.dataDirectory.appendingPathComponent("logs").appendingPathComponent("\(role.rawValue).log")
    }

    /// The database file of `role`.
    public nonisolated func databasePath(of role: Role) -> String {
        configuration.dataDirectory.appendingPathComponent("\(role.rawValue).sqlite").path
    }

    /// Starts every role (in order) and waits until each answers `/readyz` with 200. If one
    /// fails to start, the ones started are stopped and the error is thrown.
    public func start() async throws(DevError) {
        for role in configuration.roles { try assignPort(role) }
        do {
            for role in configuration.roles where process(of: role) == nil { try launch(role) }
            for role in configuration.roles { try await waitUntilReady(role) }
        } catch {
            await stopAll()
            throw error
        }
    }

    /// Starts `role` (if it does not run) and waits until it is ready.
    public func start(_ role: Role) async throws(DevError) {
        guard configuration.roles.contains(role) else { throw .unknownRole(role.rawValue) }
        try assignPort(role)
        if process(of: role) == nil { try launch(role) }
        try await waitUntilReady(role)
    }

    /// Stops `role` gracefully (SIGTERM; SIGKILL after ``Configuration/stopTimeout``) and returns
    /// its exit status (`nil` if it did not run).
    @discardableResult
    public func stop(_ role: Role) async -> Int32? {
        guard let child = children.removeValue(forKey: role) else { return nil }
        return await child.terminate(timeout: configuration.stopTimeout).status
    }

    /// Kills `role` with SIGKILL (no graceful shutdown) and returns once it has exited.
    @discardableResult
    public func kill(_ role: Role) async -> Int32? {
        guard let child = children.removeValue(forKey: role) else { return nil }
        child.signal(SIGKILL)
        return await child.waitForExit()
    }

    /// Stops `role` gracefully if it runs, starts it again and waits until it is ready.
    public func restart(_ role: Role) async throws(DevError) {
        await stop(role)
        try await start(role)
    }

    /// Stops every role: SIGTERM to all of them at once, then waits for each (SIGKILL after the
    /// stop timeout). Returns the exit status by role.
    @discardableResult
    public func stopAll() async -> [Role: Int32] {
        let running = children
        children = [:]
        for (_, child) in running { child.signal(SIGTERM) }
        let timeout = configuration.stopTimeout
        return await withTaskGroup(of: (Role, Int32).self) { group in
            for (role, child) in running {
                group.addTask { (role, await child.terminate(timeout: timeout).status) }
            }
            var statuses: [Role: Int32] = [:]
            for await (role, status) in group { statuses[role] = status }
            return statuses
        }
    }

    /// The environment of `role`'s process.
    public func environment(of role: Role) -> [String: String] {
        var environment = configuration.baseEnvironment.filter { !Self.perRoleVariables.contains($0.key) }
        for (name, value) in configuration.settings { environment[name] = value }
        for (name, value) in configuration.roleSettings[role] ?? [:] { environment[name] = value }
        environment["SAGA_ROLE"] = role.rawValue
        environment["SAGA_DATA_DIR"] = configuration.dataDirectory.path
        environment["SAGA_HTTP_HOST"] = configuration.host
        environment["SAGA_HTTP_PORT"] = ports[role].map(String.init) ?? "0"
        environment["KAFKA_BOOTSTRAP_SERVERS"] = configuration.bootstrapServers
        if role == .api {
            for (name, target) in [("SAGA_ORDER_URL", Role.order), ("SAGA_ORCHESTRATOR_URL", .orchestrator)] {
                // Without the target role here, the api role still needs a syntactically valid URL.
                environment[name] = url(of: target)?.absoluteString ?? "http://\(configuration.host):1"
            }
        }
        return environment
    }

    /// Variables the topology sets per role, never inherited.
    static let perRoleVariables: Set<String> = [
        "SAGA_ROLE", "SAGA_DATA_DIR", "SAGA_DATABASE_PATH", "SAGA_HTTP_HOST", "SAGA_HTTP_PORT", "SAGA_ORDER_URL",
        "SAGA_ORCHESTRATOR_URL", "KAFKA_BOOTSTRAP_SERVERS", "OTEL_SERVICE_NAME",
    ]

    private func assignPort(_ role: Role) throws(DevError) {
        guard ports[role] == nil else { return }
        if let fixed = configuration.fixedPorts[role] {
            ports[role] = fixed
        } else {
            ports[role] = try FreePort.find()
        }
    }

    private func launch(_ role: Role) throws(DevError) {
        children[role] = try ChildProcess.launch(
            name: role.rawValue, executable: configuration.server, arguments: [], environment: environment(of: role),
            logFile: logFile(of: role), lifeline: configuration.stopTimeout
        )
    }

    private func waitUntilReady(_ role: Role) async throws(DevError) {
        guard let child = children[role], let url = url(of: role)?.appendingPathComponent("readyz") else {
            throw .unknownRole(role.rawValue)
        }
        let started = ContinuousClock.now
        var lastProblem = "no answer yet"
        while ContinuousClock.now - started < configuration.readyTimeout {
            if Task.isCancelled { throw .cancelled(while: "waiting for role \(role) to be ready") }
            if let status = child.exitStatus {
                children[role] = nil
                throw .exitedEarly(name: "saga-server --role \(role)", status: status, logFile: child.logFile.path,
                    logTail: child.logTail())
            }
            switch await HTTPProbe.status(of: url) {
            case .success(200): return
            case .success(let code): lastProblem = "GET /readyz answered \(code)"
            case .failure(let error): lastProblem = "GET /readyz failed: \(error.localizedDescription)"
            }
            _ = await child.waitForExit(timeout: .milliseconds(200))
        }
        throw .notReady(name: "saga-server --role \(role)", waited: configuration.readyTimeout, lastProblem: lastProblem,
            logFile: child.logFile.path)
    }
}
