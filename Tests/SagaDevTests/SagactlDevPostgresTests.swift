import AccountService
import Foundation
import SagaCore
import SagaDev
import SagaPostgres
import SagaSystem
import SagaTestSupport
import Testing

/// `sagactl dev --database-url` on the test PostgreSQL cluster: every role in its schema of that
/// database (no SQLite file), a transfer end to end, the password printed nowhere; and a database
/// that cannot work stops `sagactl dev` before anything starts, with status 78.
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct SagactlDevPostgresTests {
    @Test func devRunsEveryRoleOnPostgreSQLAndPrintsNoPassword() async throws {
        let text = try #require(TestDatabase.url)
        let url = try PostgresDatabaseURL(parsing: text)
        let password = try #require(url.password)
        let kafka = try Broker.configuration()
        let schema = TestDatabase.freshSchema("dev")
        let directory = try TestDirectory("sagactl-dev-postgres")
        let data = directory.file("data")
        var environment = ProcessInfo.processInfo.environment
        environment["SAGA_DATABASE_URL"] = text  // the variable, as the help recommends (a flag shows in `ps`)
        let (process, stdout, stderr) = try launchSagactl(["dev", "--bootstrap-servers", kafka.bootstrapServers.joined(separator: ","),
            "--topic-prefix", "devpg\(UUID().uuidString.prefix(6).lowercased()).", "--http-port", "0", "--data-dir", data.path,
            "--database-schema", schema, "--log-level", "info", "--summary-interval", "1"], environment: environment, in: directory)
        defer { process.signal(SIGKILL) }  // a last resort: stoppingOnError stops it gracefully first
        func output() -> String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
        func errors() -> String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
        try await stoppingOnError(process) {
            try await eventually("the ready banner (stderr so far: \(errors()))", within: 120) {
                guard process.isRunning else { throw TimedOut(what: "sagactl dev exited early: \(errors())") }
                return output().contains("Ctrl-C stops everything.")
            }
            let banner = output()
            #expect(banner.contains("  database \(url) (schemas \(schema)_<role>)"), "\(banner)")
            let api = try #require(banner.split(separator: "\n").first { $0.hasPrefix("  http") }?
                .split(separator: " ").dropFirst().first.flatMap { URL(string: String($0)) })
            let tokenLine = try #require(banner.split(separator: "\n").first { $0.hasPrefix("  token") && $0.contains("(producer") })
            let token = String(try #require(tokenLine.split(separator: " ").dropFirst().first))
            #expect(try (await HTTPProbe.status(of: api.appendingPathComponent("readyz"))).get() == 200)

            // The roles' schemas, read from outside sagactl.
            let accounts = try await AccountService(database: PostgresStoreConfiguration(url: url, schema: "\(schema)_account"))
            let sagas = try await PostgresSagaStore.open(PostgresStoreConfiguration(url: url, schema: "\(schema)_orchestrator"))
            let accountStore = try #require(accounts.store.postgres)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await accountStore.run() }
                group.addTask { try await sagas.run() }
                defer { group.cancelAll() }
                let payer = DemoData.accounts[0].vpa, payee = DemoData.accounts[1].vpa
                try await eventually("the demo accounts seeded in \(schema)_account") { try await accounts.account(payer) != nil }
                let transfer = try await HTTPSagaStarter(baseURL: api, token: token)
                    .requestTransfer(WorkloadTransfer(payer: payer, payee: payee, amountMinor: 500))
                try await eventually("the transfer to complete in \(schema)_orchestrator", within: 120) {
                    try await sagas.load(sagaID: transfer.uuidString.lowercased())?.status == .completed
                }
            }
            try await eventually("a summary line counting the transfer", within: 30) { output().contains("transfer: 1 started, 1 completed") }

            process.signal(SIGINT)
            #expect(await process.waitForExit() == 0, "exit status; stderr: \(errors())")
            #expect(output().contains("final: transfer: 1 started, 1 completed"), "\(output())")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []
            #expect(!files.contains { $0.hasSuffix(".sqlite") }, "no role on SQLite: \(files)")
            #expect(errors().contains("postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)"), "the URL, without its password")
            #expect(!output().contains(password) && !errors().contains(password), "the password must never be printed")
        }
    }

    enum Broken: String, CaseIterable, Sendable { case wrongPassword, missingDatabase, unreachableHost, unparsable }

    @Test(arguments: Broken.allCases)
    func aDatabaseThatCannotWorkStopsDevWithStatus78(_ broken: Broken) async throws {
        var url = try PostgresDatabaseURL(parsing: try #require(TestDatabase.url))
        let secret = "p4ss-\(UUID().uuidString.prefix(8))"
        let expected: String
        switch broken {
        case .wrongPassword:
            url.password = secret
            expected = "PostgreSQL at \(url.host):\(url.port) refused role '\(url.username)'"
        case .missingDatabase:
            url.database = "no_such_db"
            expected = "PostgreSQL at \(url.host):\(url.port) has no database 'no_such_db'"
        case .unreachableHost:
            url.password = secret
            url.port = 1
            expected = "PostgreSQL at \(url.host):1 is unreachable"
        case .unparsable:
            url.password = secret
            expected = "invalid --database-url (SAGA_DATABASE_URL)"
        }
        var text = "postgres://\(url.username):\(url.password ?? "")@\(url.host):\(url.port)/\(url.database)"
        if broken == .unparsable { text += "?sslmode=sometimes" }
        let directory = try TestDirectory("sagactl-dev-broken-db")
        // The flag this time; the broker is never reached (the database is checked first).
        let result = try await runToCompletion(try BuiltExecutables.sagactl(), ["dev", "--database-url", text,
            "--bootstrap-servers", "127.0.0.1:1", "--http-port", "0", "--data-dir", directory.file("data").path])
        #expect(result.status == 78, "\(result.error)")
        #expect(result.error.contains(expected), "\(result.error)")
        #expect(!result.output.contains(secret) && !result.error.contains(secret), "\(result.error)")
    }
}
