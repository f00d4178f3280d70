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
    /// saga's id (topic, written, published), in milliseconds from the saga's first entry. Shows
    /// whether a step waited out its timeout and which message was late or sent twice. SQLite only.
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
        guard let first = entries.map(\.at).min() else { return failures + ["  no record of saga \(sagaID) in the stores"] }
        let offset = { (time: Double) in String(format: "+%.0f ms", (time - first) * 1000) }
        return failures + entries.sorted { $0.at < $1.at }.map { "  \(offset($0.at)) \($0.line(offset))" }
    }
}
