import Foundation
import GRDB
import Kafka
import Logging
import SagaEngine
import Testing

/// A directory of SQLite files for one test, removed when released.
final class ScratchDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sagas-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A fresh SQLite-backed store with `migrate` applied, for the domain tests.
func scratchStore(_ directory: ScratchDirectory, _ migrate: @escaping @Sendable (Database) throws -> Void) async throws -> SQLiteSagaStore {
    let store = try SQLiteSagaStore(path: directory.file("\(UUID().uuidString).sqlite"))
    try await store.pool.write { db in try migrate(db) }
    return store
}
