import SagaTestSupport
import Foundation
import GRDB
import Kafka
import Logging
import SagaCore
import SagaSQLite
import SagaServicesTestSupport
import Testing

/// A fresh SQLite-backed store with `migrate` applied, for the domain tests.
func scratchStore(_ directory: TemporaryDirectory, _ migrate: @escaping @Sendable (Database) throws -> Void) async throws -> SQLiteSagaStore {
    let store = try SQLiteSagaStore(path: directory.file("\(UUID().uuidString).sqlite"))
    try await store.pool.write { db in try migrate(db) }
    return store
}
