import Foundation
import SagaCore
import SagaPostgres
import SagaSQLite
import SagaTestSupport
import Testing

/// The stores the conformance suite runs every test against.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when `SAGA_TEST_DATABASE_URL` names the test database (scripts/test
    /// sets it). Without it the PostgreSQL cases are not generated, and
    /// ``PostgresAvailabilityTests`` says so as a skipped test with the reason.
    static var underTest: [StoreKind] { TestDatabase.url == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// One store under test, fresh for one test: a new SQLite file, or a new schema of the test database.
struct StoreUnderTest {
    let store: any SagaReportStore
    /// Opens a second store on the same data (the same file, the same schema) for the length of `body`.
    let reopened: (_ body: (any SagaReportStore) async throws -> Void) async throws -> Void

    /// Runs `body` on a fresh store of `kind`.
    static func with(_ kind: StoreKind, _ body: (StoreUnderTest) async throws -> Void) async throws {
        switch kind {
        case .sqlite:
            let directory = try TemporaryDirectory()
            let path = directory.file("saga.sqlite")
            let store = try SQLiteSagaStore(path: path)
            try await body(StoreUnderTest(store: store) { inner in
                let again = try SQLiteSagaStore(path: path)
                try await inner(again)
                try again.pool.close()
            })
        case .postgres:
            let configuration = try PostgresTesting.configuration()
            try await PostgresTesting.withStore(configuration) { store in
                try await body(StoreUnderTest(store: store) { inner in
                    try await PostgresTesting.withStore(configuration) { again in try await inner(again) }
                })
            }
        }
    }
}

/// PostgreSQL stores on the test database.
enum PostgresTesting {
    /// A configuration for a fresh schema of the test database.
    static func configuration(schema: String = TestDatabase.freshSchema()) throws -> PostgresStoreConfiguration {
        let url = try #require(TestDatabase.url, Comment(rawValue: TestDatabase.missing))
        return PostgresStoreConfiguration(url: try PostgresDatabaseURL(parsing: url), schema: schema, claimLease: 30)
    }

    /// Opens a store, runs it for the length of `body`, then stops it.
    static func withStore<T: Sendable>(
        _ configuration: PostgresStoreConfiguration, _ body: (PostgresSagaStore) async throws -> T
    ) async throws -> T {
        let store = try await PostgresSagaStore.open(configuration, logger: Broker.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            do {
                let result = try await body(store)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

/// Says, as a skipped test, that the PostgreSQL cases did not run when the test database is unset.
@Suite struct PostgresAvailabilityTests {
    @Test(.disabled(if: TestDatabase.url == nil, Comment(rawValue: TestDatabase.missing)))
    func theTestDatabaseIsConfigured() throws {
        #expect(TestDatabase.url != nil)
    }
}
