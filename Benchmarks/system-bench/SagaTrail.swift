import Foundation
import GRDB
import SagaCore
import SagaSQLite

extension SystemUnderTest {
    /// One thing the stores hold of a saga, at a time in seconds since 1970.
    private struct TrailEntry {
        var at: Double
        /// The line, given how to write a time as an offset from the saga's first entry.
        var line: (_ offset: (Double) -> String) -> String
    }

    /// What the stores hold of one saga, for a saga that took far longer than the rest: each step
    /// attempt of the orchestrator (start, end, outcome) and every role's outbox rows that carry the
    /// saga's id (topic, written, published), in milliseconds from the saga's first entry, then
    /// any offsets a role's consumer skipped. Shows whether a step waited out its timeout and which
    /// message was late, lost or sent twice. SQLite only.
    func trail(of sagaID: String) async -> [String] {
        guard case .sqlite = work else { return ["  (the trail reads SQLite stores; this run used PostgreSQL)"] }
        var entries: [TrailEntry] = []
        var failures: [String] = []
        for (role, store) in sqliteStores {
            do {
                let rows = try await store.pool.read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT topic, created_at, published_at FROM outbox
                        WHERE instr(headers, CAST(? AS BLOB)) > 0 ORDER BY id
                        """, arguments: [sagaID])
                }
                for row in rows {
                    let (topic, published): (String, Double?) = (row["topic"], row["published_at"])
                    entries.append(TrailEntry(at: row["created_at"]) { offset in
                        "\(role) wrote to \(topic), " + (published.map { "published \(offset($0))" } ?? "never published")
                    })
                }
                guard role == .orchestrator else { continue }
                for attempt in try await store.history(sagaID: sagaID) {
                    entries.append(TrailEntry(at: attempt.startedAt.timeIntervalSince1970) { offset in
                        "step \(attempt.stepName) (\(attempt.phase.rawValue)) attempt \(attempt.attempt), "
                            + (attempt.finishedAt.map { "ended \(offset($0.timeIntervalSince1970))" } ?? "not ended")
                            + ": \(attempt.outcome?.rawValue ?? "-")"
                    })
                }
            } catch {
                failures.append("  \(role): the store could not be read: \(error)")
            }
        }
        let skipped = await unreadOffsets()
        guard let first = entries.map(\.at).min() else { return failures + ["  no record of saga \(sagaID) in the stores"] + skipped }
        let offset = { (time: Double) in String(format: "+%.0f ms", (time - first) * 1000) }
        return failures + entries.sorted { $0.at < $1.at }.map { "  \(offset($0.at)) \($0.line(offset))" } + skipped
    }

    /// The offsets each role's consumer never processed, below the highest one it did: a record the
    /// broker acknowledged to its producer but never gave this consumer group (Tansu's memory engine
    /// can return a later batch to a fetch that should have got an earlier one still being written;
    /// docs/local-development.md). A saga whose command or reply was there waits out its step timeout.
    private func unreadOffsets() async -> [String] {
        var lines: [String] = []
        for (role, store) in sqliteStores {
            do {
                let gaps = try await store.pool.read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT consumer, topic, partition, previous + 1 AS first, "offset" - 1 AS last FROM (
                            SELECT consumer, topic, partition, "offset",
                                   LAG("offset") OVER (PARTITION BY consumer, topic, partition ORDER BY "offset") AS previous
                            FROM inbox)
                        WHERE "offset" > previous + 1
                        """)
                }
                for gap in gaps {
                    let (consumer, topic, partition): (String, String, Int) = (gap["consumer"], gap["topic"], gap["partition"])
                    let (first, last): (Int64, Int64) = (gap["first"], gap["last"])
                    lines.append("  \(role) (\(consumer)) never processed offsets \(first)–\(last) of \(topic) partition \(partition)")
                }
            } catch {
                lines.append("  \(role): the inbox could not be read: \(error)")
            }
        }
        return lines
    }
}
