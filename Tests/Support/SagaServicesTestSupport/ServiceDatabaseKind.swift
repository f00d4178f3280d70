import Foundation
import GRDB
import SagaPostgres
import SagaTestSupport
import ServiceKit

/// The databases a service runs on, as test arguments: one test body, both stores. PostgreSQL
/// is in ``available`` when `SAGA_TEST_DATABASE_URL` is set (`./scripts/test` sets it).
public enum ServiceDatabaseKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A fresh SQLite file.
    case sqlite
    /// A fresh schema of the test PostgreSQL database.
    case postgres

    /// SQLite, and PostgreSQL when the test database is configured.
    public static var available: [ServiceDatabaseKind] { TestDatabase.url == nil ? [.sqlite] : allCases }

    /// The name in test output.
    public var description: String { rawValue }

    /// Where a test's PostgreSQL store lives: `schema` of the test database.
    public static func configuration(schema: String) throws -> PostgresStoreConfiguration {
        guard let url = TestDatabase.url else { throw TestDatabaseMissing() }
        return PostgresStoreConfiguration(url: try PostgresDatabaseURL(parsing: url), schema: schema)
    }

    /// `SAGA_TEST_DATABASE_URL` is unset.
    public struct TestDatabaseMissing: Error, CustomStringConvertible {
        /// Why.
        public var description: String { TestDatabase.missing }
    }
}

extension ServiceDatabaseKind {
    /// Opens a fresh store of this kind with a service's tables, its connection pool running
    /// (PostgreSQL) until ``ScratchServiceStore/close()``.
    public func open(
        sqlite: @escaping @Sendable (Database) throws -> Void, postgres migrations: [PostgresMigration],
        schema: String = TestDatabase.freshSchema("svc")
    ) async throws -> ScratchServiceStore {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            return ScratchServiceStore(store: try await ServiceStore.sqlite(path: directory.file("service.sqlite"), migrate: sqlite),
                directory: directory)
        case .postgres:
            let store = try await ServiceStore.postgres(try Self.configuration(schema: schema), migrations: migrations, logger: Broker.logger)
            return ScratchServiceStore(store: store, directory: nil)
        }
    }
}

/// A test's service store: its SQLite file's folder, or its PostgreSQL connection pool running.
public final class ScratchServiceStore: Sendable {
    /// The store.
    public let store: ServiceStore
    private let directory: TemporaryDirectory?
    private let pool: Task<Void, any Error>?

    init(store: ServiceStore, directory: TemporaryDirectory?) {
        self.store = store
        self.directory = directory
        pool = store.postgres.map { postgres in Task { try await postgres.run() } }
    }

    /// Stops the connection pool (PostgreSQL).
    public func close() { pool?.cancel() }

    deinit { pool?.cancel() }
}
