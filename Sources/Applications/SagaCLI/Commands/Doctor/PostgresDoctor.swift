import Foundation
import SagaCore
import SagaPostgres

/// The PostgreSQL check of `sagactl doctor`: the orchestrator's store, read without changing it.
enum PostgresDoctor {
    /// Connects to `url`, reads `schema` and reports its migrations, pending outbox rows and sagas
    /// by status. Neither the check's name nor its detail shows the password.
    static func store(url text: String, schema: String, now: Date = Date()) async -> DoctorCheck {
        let url: PostgresDatabaseURL
        do {
            url = try PostgresDatabaseURL(parsing: text)
        } catch {
            return .fail("store \(PostgresDatabaseURL.redacting(text))", error.description,
                         fix: "give a URL such as postgres://user:password@host:5432/database (SAGA_DATABASE_URL)")
        }
        let name = "store \(url) schema \(schema)"
        let inspection: SagaStoreInspection
        do {
            inspection = try await SagaStoreInspection.inspect(PostgresStoreConfiguration(url: url, schema: schema, connectTimeout: 5))
        } catch {
            return .fail(name, error.description, fix: fix(for: error))
        }
        return .store(name, inspection, kind: "schema", owner: "the orchestrator", now: now)
    }

    private static func fix(for error: PostgresStoreError) -> String {
        switch error {
        case .authenticationFailed: "check the user and password of SAGA_DATABASE_URL"
        case .missingDatabase: "create the database (CREATE DATABASE …) or correct the URL's path"
        case .unreachable: "check the host and port, that PostgreSQL runs and accepts TCP connections, and sslmode"
        case .invalidURL, .invalidSchema: "correct SAGA_DATABASE_URL or SAGA_DATABASE_SCHEMA"
        case .server, .newerSchema: "see the server's message"
        }
    }
}
