import Foundation
import GRDB
import PostgresNIO
import SagaCore
import SagaPostgres
import SagaSQLite
import SagaSystem

extension SystemUnderTest {
    /// One thing the stores hold of a saga, at a time in seconds since 1970.
    private struct TrailEntry {
        var at: Double
        /// The line, given how to write a time as an offset from the saga's first entry.
        var line: (_ offset: (Double) -> String) -> String
    }

    /// An outbox row: who wrote it, to which topic, when it was written and published.
    private struct OutboxRow {
        var role: String
        var topic: String
        var created: Double
        var published: Double?
    }

    /// Offsets `first`...`last` that a role's consumer never processed, below the last one it did.
    private struct UnreadOffsets {
        var role: String
        var consumer: String
        var topic: String
        var partition: Int
        var first: Int64
        var last: Int64
    }

    /// What the stores hold of one saga, for a saga that took far longer than the rest: each step
    /// attempt of the orchestrator (start, end, outcome) and every role's outbox rows that carry the
    /// saga's id (topic, written, published), in milliseconds from the saga's first entry, then
    /// any offsets a role's consumer skipped. Shows whether a step waited out its timeout and which
    /// message was late, lost or sent twice.
    func trail(of sagaID: String) async -> [String] {
        var entries: [TrailEntry] = []
        var failures: [String] = []
        do {
            for row in try await outboxRows(carrying: sagaID) {
                entries.append(TrailEntry(at: row.created) { offset in
                    "\(row.role) wrote to \(row.topic), " + (row.published.map { "published \(offset($0))" } ?? "never published")
                })
            }
        } catch {
            failures.append("  the outboxes could not be read: \(error)")
        }
        if let store = components.orchestratorStore {
            do {
                for attempt in try await store.history(sagaID: sagaID) {
                    entries.append(TrailEntry(at: attempt.startedAt.timeIntervalSince1970) { offset in
                        "step \(attempt.stepName) (\(attempt.phase.rawValue)) attempt \(attempt.attempt), "
                            + (attempt.finishedAt.map { "ended \(offset($0.timeIntervalSince1970))" } ?? "not ended")
                            + ": \(attempt.outcome?.rawValue ?? "-")"
                    })
                }
            } catch {
                failures.append("  the orchestrator's step history could not be read: \(error)")
            }
        }
        var skipped: [String] = []
        do {
            skipped = try await unreadOffsets().map { gap in
                "  \(gap.role) (\(gap.consumer)) never processed offsets \(gap.first)–\(gap.last) of \(gap.topic) partition \(gap.partition)"
            }
        } catch {
            failures.append("  the inboxes could not be read: \(error)")
        }
        guard let first = entries.map(\.at).min() else { return failures + ["  no record of saga \(sagaID) in the stores"] + skipped }
        let offset = { (time: Double) in String(format: "+%.0f ms", (time - first) * 1000) }
        return failures + entries.sorted { $0.at < $1.at }.map { "  \(offset($0.at)) \($0.line(offset))" } + skipped
    }

    /// Every role's outbox rows whose headers carry `sagaID`, in each role's write order.
    private func outboxRows(carrying sagaID: String) async throws -> [OutboxRow] {
        switch work {
        case .sqlite:
            var rows: [OutboxRow] = []
            for (role, store) in sqliteStores {
                rows += try await store.pool.read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT topic, created_at, published_at FROM outbox
                        WHERE instr(headers, CAST(? AS BLOB)) > 0 ORDER BY id
                        """, arguments: [sagaID])
                }.map { OutboxRow(role: "\(role)", topic: $0["topic"], created: $0["created_at"], published: $0["published_at"]) }
            }
            return rows
        case .postgres(let store):
            let schemas = postgresSchemas
            return try await store.transaction("the outbox rows of one saga") { transaction in
                try schemas.flatMap { role, schema in
                    var binds = PostgresBindings()
                    binds.append(sagaID)
                    let sql = """
                        SELECT topic, created_at, published_at FROM \(schema).outbox
                        WHERE convert_to($1, 'UTF8') = ANY(header_values) ORDER BY id
                        """
                    return try transaction.query(PostgresQuery(unsafeSQL: sql, binds: binds)).rows.map { row in
                        OutboxRow(role: role, topic: try row["topic"].decode(String.self), created: try row["created_at"].decode(Double.self),
                                  published: try row["published_at"].decode(Double?.self))
                    }
                }
            }
        }
    }

    /// The offsets each role's consumer never processed, below the highest one it did: a record the
    /// broker acknowledged to its producer but never gave this consumer group (Tansu's memory engine
    /// can return a later batch to a fetch that should have got an earlier one still being written;
    /// docs/local-development.md). A saga whose command or reply was there waits out its step timeout.
    private func unreadOffsets() async throws -> [UnreadOffsets] {
        @Sendable func gaps(_ inbox: String) -> String {
            """
            SELECT consumer, topic, partition, previous + 1 AS first, "offset" - 1 AS last FROM (
                SELECT consumer, topic, partition, "offset",
                       LAG("offset") OVER (PARTITION BY consumer, topic, partition ORDER BY "offset") AS previous
                FROM \(inbox)) AS entries
            WHERE "offset" > previous + 1
            """
        }
        switch work {
        case .sqlite:
            var unread: [UnreadOffsets] = []
            for (role, store) in sqliteStores {
                unread += try await store.pool.read { db in try Row.fetchAll(db, sql: gaps("inbox")) }.map { row in
                    UnreadOffsets(role: "\(role)", consumer: row["consumer"], topic: row["topic"], partition: row["partition"],
                                  first: row["first"], last: row["last"])
                }
            }
            return unread
        case .postgres(let store):
            let queries = postgresSchemas.map { (role: $0.role, sql: gaps("\($0.schema).inbox")) }
            return try await store.transaction("offsets never processed") { transaction in
                try queries.flatMap { role, sql in
                    try transaction.query(PostgresQuery(unsafeSQL: sql)).rows.map { row in
                        UnreadOffsets(role: role, consumer: try row["consumer"].decode(String.self),
                                      topic: try row["topic"].decode(String.self), partition: Int(try row["partition"].decode(Int32.self)),
                                      first: try row["first"].decode(Int64.self), last: try row["last"].decode(Int64.self))
                    }
                }
            }
        }
    }

    /// Each role with a store and its PostgreSQL schema (the replica orchestrator shares the orchestrator's).
    var postgresSchemas: [(role: String, schema: String)] {
        Role.all.members.filter { $0 != .api }.map { ("\($0)", settings.databaseSchema(for: $0)) }
    }
}
