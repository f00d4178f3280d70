import Foundation
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
        let inspection: PostgresStoreInspection
        do {
            inspection = try await PostgresStoreInspection.inspect(PostgresStoreConfiguration(url: url, schema: schema, connectTimeout: 5))
        } catch {
            return .fail(name, error.description, fix: fix(for: error))
        }
        var parts = ["schema \(inspection.appliedMigrations.count)/\(inspection.knownMigrations.count) migrations"]
        parts.append("\(inspection.pendingOutbox) outbox row(s) pending" + (inspection.oldestPendingOutbox.map {
            ", oldest \(Int(now.timeIntervalSince($0))) s old"
        } ?? ""))
        if !inspection.sagasByStatus.isEmpty {
            parts.append("sagas " + inspection.sagasByStatus.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        let detail = parts.joined(separator: "; ")
        if !inspection.unknownMigrations.isEmpty {
            return .fail(name, detail + "; migrations unknown to this build: " + inspection.unknownMigrations.joined(separator: ", "),
                         fix: "a newer version wrote this schema: run that version (or a newer sagactl)")
        }
        if !inspection.missingMigrations.isEmpty {
            return .warn(name, detail + "; not yet migrated: " + inspection.missingMigrations.joined(separator: ", "),
                         fix: "start the orchestrator once: it creates the schema and applies the migrations")
        }
        if let oldest = inspection.oldestPendingOutbox, now.timeIntervalSince(oldest) > 60 {
            return .warn(name, detail, fix: "outbox rows older than a minute are not being published: is the orchestrator running and the broker reachable?")
        }
        return .ok(name, detail)
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
