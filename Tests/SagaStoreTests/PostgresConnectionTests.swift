import Foundation
import SagaPostgres
import SagaTestSupport
import Testing

/// The database URL, and the errors of opening a store against the real test cluster: each names
/// the server and never the password.
@Suite struct PostgresConnectionTests {
    @Test func urlsParseAsLibpqReadsThem() throws {
        let url = try PostgresDatabaseURL(parsing: "postgresql://app:s%40cret@db.example:6543/sagas?sslmode=verify-full&sslrootcert=/ca.pem")
        #expect(url.host == "db.example" && url.port == 6543 && url.username == "app" && url.password == "s@cret")
        #expect(url.database == "sagas" && url.sslMode == .verifyFull && url.sslRootCertificate == "/ca.pem")
        #expect(url.description == "postgres://app@db.example:6543/sagas?sslmode=verify-full&sslrootcert=/ca.pem")
        let short = try PostgresDatabaseURL(parsing: "postgres://app@localhost")
        #expect(short.port == 5432 && short.database == "app" && short.password == nil && short.sslMode == .prefer)
    }

    @Test(arguments: [
        "mysql://app:hunter2@h/db", "postgres://app:hunter2@/db", "postgres://:hunter2@h/db",
        "postgres://app:hunter2@h/db?sslmode=sometimes", "postgres://app:hunter2@h/db?connect_timeout=3", "postgres://app:hunter2@h/a/b",
    ])
    func badURLsAreRefusedWithoutThePassword(_ text: String) {
        do {
            let url = try PostgresDatabaseURL(parsing: text)
            Issue.record("\(url) parsed")
        } catch {
            #expect(!error.description.contains("hunter2"), "\(error)")
            guard case .invalidURL = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func aBadSchemaNameIsRefused() async throws {
        let configuration = PostgresStoreConfiguration(
            url: try PostgresDatabaseURL(parsing: "postgres://app:hunter2@127.0.0.1:1/db"), schema: "Robert'); DROP")
        await #expect(throws: PostgresStoreError.invalidSchema("Robert'); DROP")) { try await PostgresSagaStore.open(configuration) }
    }

    @Test(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
    func aWrongPasswordIsRefusedByName() async throws {
        var url = try PostgresDatabaseURL(parsing: try #require(TestDatabase.url))
        url.password = "not-the-password"
        let error = try await openFailure(url)
        guard case .authenticationFailed(let host, let port, let user, _) = error else { Issue.record("\(error)"); return }
        #expect(host == url.host && port == url.port && user == url.username)
        #expect(!error.description.contains("not-the-password"))
    }

    @Test(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
    func aMissingDatabaseIsNamed() async throws {
        var url = try PostgresDatabaseURL(parsing: try #require(TestDatabase.url))
        url.database = "no_such_database"
        let error = try await openFailure(url)
        #expect(error == .missingDatabase(host: url.host, port: url.port, database: "no_such_database"))
        #expect(!error.description.contains(url.password ?? "-"))
    }

    @Test func anUnreachableServerIsNamed() async throws {
        let port = 1  // nothing listens on 127.0.0.1:1
        let url = try PostgresDatabaseURL(parsing: "postgres://app:hunter2@127.0.0.1:\(port)/db")
        let error = try await openFailure(url)
        guard case .unreachable(let host, let failedPort, _) = error else { Issue.record("\(error)"); return }
        #expect(host == "127.0.0.1" && failedPort == port && !error.description.contains("hunter2"))
    }

    private struct Opened: Error {}

    private func openFailure(_ url: PostgresDatabaseURL) async throws -> PostgresStoreError {
        let store: PostgresSagaStore
        do {
            store = try await PostgresSagaStore.open(PostgresStoreConfiguration(url: url, schema: "orchestrator", connectTimeout: 5))
        } catch {
            return error
        }
        Issue.record("opened \(store.configuration)")
        throw Opened()
    }
}
