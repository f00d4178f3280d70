import Foundation
import PostgresNIO
import SagaCore
import Synchronization

/// The inbox entries a transaction inserts: every commit's entry goes through here, and a batch
/// inserts all of its entries ahead in one multi-row statement, sent without waiting, instead of
/// one waited insert per message. It keeps the entries given (`expected`) and, once the insert's
/// answer was read, those that were new (`inserted`). A commit takes its entry from `inserted`
/// once; a second commit of the same message, or one the inbox already held, finds nothing there
/// and is a duplicate.
final class PrerecordedInbox: Sendable {
    private struct State {
        var expected: Set<String> = []
        var inserted: Set<String> = []
        var answered = true
    }

    private let state = Mutex(State())

    /// Inserts `entries` (those not given before) with `ON CONFLICT DO NOTHING`, sent without
    /// waiting; its answer is read with the transaction's next one.
    func insert(_ entries: [InboxEntry], in transaction: PostgresTransaction) throws {
        let fresh = state.withLock { state -> [InboxEntry] in
            let fresh = entries.filter { !state.expected.contains(Self.key($0)) }
            guard !fresh.isEmpty else { return [] }
            state.expected.formUnion(fresh.map(Self.key))
            state.answered = false
            return fresh
        }
        guard !fresh.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        try transaction.sendInsert(
            into: "inbox", columns: ["consumer", "message_id", "topic", "partition", "\"offset\"", "processed_at"], fresh,
            suffix: "ON CONFLICT DO NOTHING RETURNING consumer, message_id",
            check: { [self] result in
                let keys = try result.rows.map { row in
                    let read = PostgresRowReader(row: row, table: "inbox", key: "entry recorded ahead")
                    return Self.key(consumer: try read("consumer", String.self), messageID: try read("message_id", String.self))
                }
                state.withLock { state in
                    state.inserted.formUnion(keys)
                    state.answered = true
                }
            }
        ) { entry, binds in
            binds.append(entry.consumer)
            binds.append(entry.messageID)
            binds.append(entry.topic)
            binds.append(entry.partition)
            binds.append(entry.offset)
            binds.append(now)
        }
    }

    /// Records `entry` for a commit: inserts it unless it was given before, reads the insert's
    /// answer if it has not been read (one wait), and answers `true` the first time for an entry
    /// that was new, `false` for a duplicate (the inbox held it, or a commit took it already).
    func record(_ entry: InboxEntry, in transaction: PostgresTransaction) throws -> Bool {
        try insert([entry], in: transaction)
        let key = Self.key(entry)
        if !state.withLock({ $0.answered }) { try transaction.flush() }
        return state.withLock { $0.inserted.remove(key) != nil }
    }

    private static func key(consumer: String, messageID: String) -> String { consumer + "\u{0}" + messageID }
    private static func key(_ entry: InboxEntry) -> String { key(consumer: entry.consumer, messageID: entry.messageID) }
}
