import Foundation
import SagaPostgres
import SagaSystem
import Testing

/// `SAGA_DATABASE_URL` / `SAGA_DATABASE_SCHEMA`: every role's PostgreSQL database, read and
/// shown without its password; each role in its own schema.
@Suite struct DatabaseSettingsTests {
    static let orchestrator = ["SAGA_ROLE": "orchestrator", "KAFKA_BOOTSTRAP_SERVERS": "k1:9092", "SAGA_AUTH_DISABLED": "true"]
    static let url = "postgres://saga:hunter2-secret@db.internal:6432/sagas?sslmode=require"

    @Test func theURLAndSchemaConfigureTheOrchestratorsStore() throws {
        let settings = try SagaServerSettings(environment: Self.orchestrator.merging(["SAGA_DATABASE_URL": Self.url]) { $1 })
        let database = try #require(settings.postgres(for: .orchestrator))
        #expect(database.url.host == "db.internal" && database.url.port == 6432 && database.url.database == "sagas")
        #expect(database.url.sslMode == .require && database.schema == "orchestrator")
        #expect(!settings.redactedDescription.contains("hunter2-secret"), "\(settings.redactedDescription)")
        #expect(settings.redactedDescription.contains("SAGA_DATABASE_URL=postgres://saga@db.internal:6432/sagas?sslmode=require"))
        #expect(!"\(database)".contains("hunter2") && !String(reflecting: database.url).contains("hunter2"))

        let flagged = try SagaServerSettings(environment: Self.orchestrator,
            overrides: ["SAGA_DATABASE_URL": Self.url, "SAGA_DATABASE_SCHEMA": "sagas_eu"])
        #expect(flagged.postgres(for: .orchestrator)?.schema == "sagas_eu")
        #expect(try SagaServerSettings(environment: Self.orchestrator).postgres(for: .orchestrator) == nil, "unset: SQLite")
    }

    @Test func thePoolSettingsSizeEveryRolesConnections() throws {
        let defaults = try #require(try SagaServerSettings(environment: Self.orchestrator.merging(["SAGA_DATABASE_URL": Self.url]) { $1 })
            .postgres(for: .orchestrator))
        #expect(defaults.maximumConnections == 10 && defaults.statementTimeout == 30)
        let set = try SagaServerSettings(environment: Self.orchestrator.merging([
            "SAGA_DATABASE_URL": Self.url, "SAGA_ROLE": "all", "SAGA_DATABASE_MAX_CONNECTIONS": "4",
            "SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS": "7",
        ]) { $1 })
        for role in Role.all.members {
            let database = try #require(set.postgres(for: role))
            #expect(database.maximumConnections == 4 && database.statementTimeout == 7, "\(role)")
        }
        let flagged = try SagaServerSettings(environment: Self.orchestrator.merging(["SAGA_DATABASE_URL": Self.url]) { $1 },
            overrides: try SagaServerOptions.parse(["--database-max-connections", "2", "--database-statement-timeout-seconds", "90"]).overrides)
        #expect(flagged.postgres(for: .orchestrator)?.maximumConnections == 2)
        #expect(flagged.postgres(for: .orchestrator)?.statementTimeout == 90)
    }

    @Test(arguments: [
        (["SAGA_DATABASE_MAX_CONNECTIONS": "0"], SagaServerSettingsError.invalid(name: "SAGA_DATABASE_MAX_CONNECTIONS",
            flag: "database-max-connections", value: "0", expected: "an integer from 1 to 1000")),
        (["SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS": "soon"], .invalid(name: "SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS",
            flag: "database-statement-timeout-seconds", value: "soon", expected: "an integer from 1 to 3600")),
        (["SAGA_DATABASE_URL": "", "SAGA_DATABASE_MAX_CONNECTIONS": "5"],
            .conflict("SAGA_DATABASE_MAX_CONNECTIONS configures the PostgreSQL connections; set SAGA_DATABASE_URL too")),
        (["SAGA_DATABASE_URL": "", "SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS": "5"],
            .conflict("SAGA_DATABASE_STATEMENT_TIMEOUT_SECONDS configures the PostgreSQL connections; set SAGA_DATABASE_URL too")),
    ] as [([String: String], SagaServerSettingsError)])
    func badPoolSettingsAreRefusedNamingThem(changes: [String: String], expected: SagaServerSettingsError) {
        let environment = Self.orchestrator.merging(["SAGA_DATABASE_URL": Self.url]) { $1 }.merging(changes) { $1 }
        #expect(throws: expected) { try SagaServerSettings(environment: environment) }
    }

    @Test func everyRoleKeepsItsTablesInASchemaNamedAfterIt() throws {
        for role in Role.allCases where role != .all {
            var environment = Self.orchestrator.merging(["SAGA_DATABASE_URL": Self.url, "SAGA_ROLE": role.rawValue]) { $1 }
            if role == .api { environment.merge(["SAGA_ORDER_URL": "http://o:1", "SAGA_ORCHESTRATOR_URL": "http://o:2"]) { $1 } }
            let settings = try SagaServerSettings(environment: environment)
            #expect(settings.postgres(for: role)?.schema == role.rawValue)
            let named = try SagaServerSettings(environment: environment.merging(["SAGA_DATABASE_SCHEMA": "eu_\(role.rawValue)"]) { $1 })
            #expect(named.postgres(for: role)?.schema == "eu_\(role.rawValue)")
        }
        let all = try SagaServerSettings(environment: Self.orchestrator.merging(["SAGA_DATABASE_URL": Self.url, "SAGA_ROLE": "all"]) { $1 })
        #expect(Role.all.members.map { all.postgres(for: $0)?.schema } == Role.all.members.map(\.rawValue))
        let prefixed = try SagaServerSettings(environment: Self.orchestrator.merging(
            ["SAGA_DATABASE_URL": Self.url, "SAGA_ROLE": "all", "SAGA_DATABASE_SCHEMA": "eu"]) { $1 })
        #expect(prefixed.postgres(for: .account)?.schema == "eu_account" && prefixed.postgres(for: .orchestrator)?.schema == "eu_orchestrator")
    }

    @Test(arguments: [
        ["SAGA_DATABASE_URL": "mysql://saga:hunter2-secret@db/sagas"],
        ["SAGA_DATABASE_URL": "postgres://saga:hunter2-secret@db/sagas?sslmode=sometimes"],
        ["SAGA_DATABASE_URL": url, "SAGA_DATABASE_SCHEMA": "Bad-Schema"],
        ["SAGA_DATABASE_URL": url, "SAGA_DATABASE_PATH": "o.sqlite"],
        ["SAGA_DATABASE_SCHEMA": "sagas"],
    ])
    func badDatabaseSettingsAreRefusedWithoutThePassword(_ changes: [String: String]) {
        do {
            let settings = try SagaServerSettings(environment: Self.orchestrator.merging(changes) { $1 })
            Issue.record("accepted: \(settings.redactedDescription)")
        } catch {
            #expect(error.description.contains("SAGA_DATABASE_"), "\(error)")
            #expect(!error.description.contains("hunter2-secret"), "\(error)")
        }
    }

    @Test func theFlagIsDocumentedAndTheHelpAdvisesTheEnvironment() {
        let names = SagaServerSettings.environmentVariableNames
        #expect(names.contains("SAGA_DATABASE_URL") && names.contains("SAGA_DATABASE_SCHEMA"))
        #expect(SagaServerOptions.helpMessage().contains("--database-url"))
    }
}
