import Foundation
import GRDB
import SagaCore
import SagaSQLite
import SagaTestSupport
import Testing

/// An outbox row whose headers blob is damaged is reported as a corrupt row naming it, never read
/// past its end or half-decoded: the relay must not send a message with headers missing.
@Suite struct SQLiteOutboxRowTests {
    static let damaged: [(label: String, blob: [UInt8])] = [
        ("a length cut short", [0, 0, 0]),
        ("a key longer than the blob", [0, 0, 0, 9, 0x61]),
        ("a key without its value", [0, 0, 0, 1, 0x61]),
        ("a value longer than the blob", [0, 0, 0, 1, 0x61, 0, 0, 1, 0, 0x62]),
        ("a key that is not UTF-8", [0, 0, 0, 2, 0xc3, 0x28, 0, 0, 0, 0]),
    ]

    @Test(arguments: damaged.indices) func aDamagedHeadersBlobIsACorruptRow(_ index: Int) async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("saga.sqlite"))
        let good = OutgoingMessage(topic: "t", key: [1], value: [2], headers: [SagaHeader("message-id", "m1")])
        _ = try await store.commit(SagaCommit(outbox: [good]))
        let id = try await store.pool.write { db in
            try db.execute(
                sql: "INSERT INTO outbox (topic, key, value, headers, created_at) VALUES ('t', x'01', x'02', ?, 0)",
                arguments: [Data(Self.damaged[index].blob)])
            return db.lastInsertedRowID
        }
        do {
            let pending = try await store.pendingOutbox(limit: 10)
            Issue.record("\(Self.damaged[index].label): read as \(pending.map(\.message))")
        } catch {
            guard case .corruptRow(let table, let key, let detail) = error else {
                Issue.record("\(Self.damaged[index].label): \(error)")
                return
            }
            #expect(table == "outbox")
            #expect(key == String(id))
            #expect(detail == "headers blob")
        }
        // The row before it is still read as it was written.
        #expect(try await store.pendingOutbox(limit: 1).map(\.message) == [good])
        try store.pool.close()
    }
}
