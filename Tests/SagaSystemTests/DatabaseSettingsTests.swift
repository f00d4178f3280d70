import Foundation
import SagaPostgres
import SagaSystem
import Testing

/// `SAGA_DATABASE_URL` / `SAGA_DATABASE_SCHEMA`: the orchestrator's PostgreSQL store, read and
/// shown without its password.
@Suite struct DatabaseSettingsTests {
    static let orchestrator = ["SAGA_ROLE": "orchestrator", "KAFKA_BOOTSTRAP_SERVERS": "k1:9092", "SAGA_AUTH_DISABLED": "true"]
    static let url = "postgres://saga:hunter2-secret@db.internal:6432/sagas?sslmode=require"

    @Test func theURLAndSchemaConfigureTheOrchestratorsStore() throws {
        let settings = try SagaServerSettings(environment: Self.orchestrator.merging(["SAGA_DATABASE_URL": Self.url]) { $1 })
        let database = try #require(settings.orchestratorDatabase)
        #expect(database.url.host == "db.internal" && database.url.port == 6432 && database.url.database == "sagas")
        #expect(database.url.sslMode == .require && database.schema == "orchestrator")
        #expect(!settings.redactedDescription.contains("hunter2-secret"), "\(settings.redactedDescription)")
        #expect(settings.redactedDescription.contains("SAGA_DATABASE_URL=postgres://saga@db.internal:6432/sagas?sslmode=require"))
        #expect(!"\(database)".contains("hunter2") && !String(reflecting: database.url).contains("hunter2"))

        let flagged = try SagaServerSettings(environment: Self.orchestrator,
            overrides: ["SAGA_DATABASE_URL": Self.url, "SAGA_DATABASE_SCHEMA": "sagas_eu"])
        #expect(flagged.orchestratorDatabase?.schema == "sagas_eu")
        #expect(try SagaServerSettings(environment: Self.orchestrator).orchestratorDatabase == nil, "unset: SQLite")
    }

    @Test(arguments: [
        ["SAGA_DATABASE_URL": "mysql://saga:hunter2-secret@db/sagas"],
        ["SAGA_DATABASE_URL": "postgres://saga:hunter2-secret@db/sagas?sslmode=sometimes"],
        ["SAGA_DATABASE_URL": url, "SAGA_DATABASE_SCHEMA": "Bad-Schema"],
        ["SAGA_DATABASE_URL": url, "SAGA_ROLE": "payment"],
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
