import SagaCore
import Foundation
import GRDB

/// The embedded default ``SagaStore``: one SQLite file in WAL mode through GRDB.
///
/// Writes are serialised by SQLite's single writer, reads run concurrently. Suited to one
/// orchestrator process (or one participant service) per database file; several orchestrator
/// instances need a shared database (a PostgreSQL store).
public final class SQLiteSagaStore: SagaStore {
    /// The GRDB pool; exposed so a participant service can keep its own tables in the same file
    /// and write them in the same transaction as its inbox and outbox rows.
    public let pool: DatabasePool
    /// The file path.
    public let path: String

    /// Opens (creating if needed) the store at `path` and runs pending migrations.
    public init(path: String) throws(SagaStoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            SQLiteStatistics.count(db, path: path)
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
        } catch {
            throw .database(operation: "open \(path)", underlying: String(describing: error))
        }
    }

    // MARK: Instances

    /// The instance with id `sagaID`, or `nil`.
    public func load(sagaID: String) async throws(SagaStoreError) -> SagaState? {
        try await read("load saga \(sagaID)") { db in try SQLiteSagaTransaction(db: db).load(sagaID: sagaID) }
    }

    /// Applies `commit` in one transaction.
    public func commit(_ commit: SagaCommit) async throws(SagaStoreError) -> CommitResult {
        do {
            return try await pool.write { db in try Self.apply(commit, in: db) }
        } catch is SagaExists {
            return .sagaExists
        } catch {
            throw Self.wrap(error, "commit \(commit.sagaID ?? commit.inbox?.messageID ?? "")")
        }
    }

    /// Applies `commit` inside an open transaction; a thrown error rolls the whole transaction back.
    static func apply(_ commit: SagaCommit, in db: Database) throws -> CommitResult {
        let now = Date().timeIntervalSince1970
        if let entry = commit.inbox {
            try db.executeCached(
                sql: """
                    INSERT INTO inbox (consumer, message_id, topic, partition, "offset", processed_at)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """,
                arguments: [entry.consumer, entry.messageID, entry.topic, entry.partition, entry.offset, now]
            )
            if db.changesCount == 0 { return .duplicateMessage }
        }
        var newVersion: Int64?
        switch commit.saga {
        case .insert(let state):
            var arguments = try SQLiteRows.arguments(state)
            arguments += [state.version]
            try db.executeCached(
                sql: "INSERT INTO saga_instance (\(SQLiteRows.columns), version) VALUES (\(SQLiteRows.placeholders), ?) ON CONFLICT DO NOTHING",
                arguments: arguments
            )
            if try db.changesCount == 0 || SQLiteRetention.hasTombstone(state.sagaID, in: db) {
                // Idempotent start: the saga exists, or existed and was removed after it finished.
                // Keep nothing of this commit, not even the inbox row, so the rollback is complete.
                throw SagaExists()
            }
            newVersion = state.version
        case .update(let state):
            var arguments = try SQLiteRows.arguments(state)
            arguments += [state.version + 1, state.sagaID, state.version]
            try db.executeCached(
                sql: "UPDATE saga_instance SET (\(SQLiteRows.columns), version) = (\(SQLiteRows.placeholders), ?) WHERE saga_id = ? AND version = ?",
                arguments: arguments
            )
            if db.changesCount == 0 { throw SagaStoreError.versionConflict(sagaID: state.sagaID, expected: state.version) }
            newVersion = state.version + 1
        case nil:
            break
        }
        if let sagaID = commit.sagaID {
            for change in commit.history { try SQLiteRows.write(change, sagaID: sagaID, in: db) }
            try SQLiteTimeline.write(commit.timeline, sagaID: sagaID, in: db)
        }
        for message in commit.outbox {
            try db.executeCached(
                sql: "INSERT INTO outbox (topic, key, value, headers, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [message.topic, Data(message.key), Data(message.value), Data(HeaderBlob.encode(message.headers)), now]
            )
        }
        if let audit = commit.audit { _ = try writeAudit(audit, in: db) }
        return .committed(version: newVersion)
    }

    /// Whether `messageID` was already processed by `consumer`.
    public func isProcessed(consumer: String, messageID: String) async throws(SagaStoreError) -> Bool {
        try await read("inbox lookup \(messageID)") { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = ? AND message_id = ?)",
                arguments: [consumer, messageID]
            ) ?? false
        }
    }

    /// The per-request history of a saga, oldest first.
    public func history(sagaID: String) async throws(SagaStoreError) -> [StepAttemptRecord] {
        try await read("history of \(sagaID)") { db in try Self.history(sagaID: sagaID, in: db) }
    }

    /// Instances in `status`, oldest first.
    public func sagas(status: SagaStatus, limit: Int) async throws(SagaStoreError) -> [SagaState] {
        try await read("list \(status) sagas") { db in
            try db.cachedRows(sql: "SELECT * FROM saga_instance WHERE status = ? ORDER BY created_at LIMIT ?",
                arguments: [status.rawValue, limit]
            ).map(SQLiteRows.state)
        }
    }

    /// The number of instances per status.
    public func countByStatus() async throws(SagaStoreError) -> [SagaStatus: Int] {
        try await read("count sagas") { db in
            var counts: [SagaStatus: Int] = [:]
            for row in try db.cachedRows(sql: "SELECT status, COUNT(*) AS n FROM saga_instance GROUP BY status") {
                let raw: String = row["status"]
                guard let status = SagaStatus(rawValue: raw) else {
                    throw SagaStoreError.corruptRow(table: "saga_instance", key: raw, detail: "unknown status")
                }
                counts[status] = row["n"]
            }
            return counts
        }
    }

    // MARK: Timers

    /// The earliest timer deadline of any instance.
    public func nextDeadline() async throws(SagaStoreError) -> Date? {
        try await read("next deadline") { db in
            try Double.fetchOne(db, sql: "SELECT MIN(deadline) FROM saga_instance WHERE deadline IS NOT NULL")
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Instances whose deadline has passed, earliest first.
    public func dueSagas(now: Date, limit: Int) async throws(SagaStoreError) -> [SagaState] {
        try await read("due sagas") { db in
            try db.cachedRows(sql: "SELECT * FROM saga_instance WHERE deadline IS NOT NULL AND deadline <= ? ORDER BY deadline LIMIT ?",
                arguments: [now.timeIntervalSince1970, limit]
            ).map(SQLiteRows.state)
        }
    }

    // MARK: Outbox

    /// Outbox rows not yet published, in write order.
    public func pendingOutbox(limit: Int) async throws(SagaStoreError) -> [OutboxRecord] {
        try await read("pending outbox") { db in
            try db.cachedRows(sql: "SELECT * FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?", arguments: [limit]
            ).map(SQLiteRows.outbox)
        }
    }

    /// Outbox rows not yet published, in write order, but for `excluded` (the rows the relay has
    /// in flight), which the read skips in the index instead of decoding them.
    public func pendingOutbox(limit: Int, excluding excluded: Set<Int64>) async throws(SagaStoreError) -> [OutboxRecord] {
        guard !excluded.isEmpty else { return try await pendingOutbox(limit: limit) }
        let skipped = "[" + excluded.map(String.init).joined(separator: ",") + "]"
        return try await read("pending outbox") { db in
            try db.cachedRows(
                sql: "SELECT * FROM outbox WHERE published_at IS NULL AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?",
                arguments: [skipped, limit]
            ).map(SQLiteRows.outbox)
        }
    }

    /// Marks outbox rows published.
    public func markPublished(_ ids: [Int64], at date: Date) async throws(SagaStoreError) {
        guard !ids.isEmpty else { return }
        try await write("mark \(ids.count) outbox rows published") { db in
            // One statement per chunk (SQLite limits the number of bound parameters).
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                var arguments: StatementArguments = [date.timeIntervalSince1970]
                arguments += StatementArguments(chunk)
                try db.execute(sql: "UPDATE outbox SET published_at = ? WHERE id IN (\(marks))", arguments: arguments)
            }
        }
    }

    /// Deletes up to `limit` of each: published outbox rows, inbox entries and participants'
    /// stored replies older than `date`, oldest first, in one short write transaction (each
    /// found through its expiry index).
    public func purge(before date: Date, limit: Int) async throws(SagaStoreError) -> Int {
        guard limit > 0 else { return 0 }
        return try await write("purge") { db in
            let arguments: StatementArguments = [date.timeIntervalSince1970, limit]
            try db.executeCached(sql: """
                DELETE FROM outbox WHERE id IN (
                    SELECT id FROM outbox WHERE published_at < ? ORDER BY published_at LIMIT ?)
                """, arguments: arguments)
            let outbox = db.changesCount
            try db.executeCached(sql: """
                DELETE FROM inbox WHERE (consumer, message_id) IN (
                    SELECT consumer, message_id FROM inbox WHERE processed_at < ? ORDER BY processed_at LIMIT ?)
                """, arguments: arguments)
            let inbox = db.changesCount
            try db.executeCached(sql: """
                DELETE FROM participant_reply WHERE (consumer, idempotency_key) IN (
                    SELECT consumer, idempotency_key FROM participant_reply WHERE created_at < ? ORDER BY created_at LIMIT ?)
                """, arguments: arguments)
            return outbox + inbox + db.changesCount
        }
    }

    // MARK: Replays

    /// Records a replay; refuses a second replay of the same DLQ record unless `force`.
    public func beginReplay(_ replay: ReplayRequest, force: Bool) async throws(SagaStoreError) -> ReplayRecord {
        try await write("record replay \(replay.replayID)") { db in
            if !force,
                let previous = try String.fetchOne(
                    db,
                    sql: """
                        SELECT replay_id FROM dlq_replay
                        WHERE dlq_topic = ? AND dlq_partition = ? AND dlq_offset = ? AND outcome != ? LIMIT 1
                        """,
                    arguments: [replay.dlqTopic, replay.dlqPartition, replay.dlqOffset, ReplayOutcome.notPublished.rawValue]
                )
            {
                throw SagaStoreError.alreadyReplayed(
                    dlqTopic: replay.dlqTopic, partition: replay.dlqPartition, offset: replay.dlqOffset, previousReplayID: previous
                )
            }
            try db.executeCached(
                sql: """
                    INSERT INTO dlq_replay (replay_id, dlq_topic, dlq_partition, dlq_offset, original_topic, forced, requested_at, outcome)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    replay.replayID, replay.dlqTopic, replay.dlqPartition, replay.dlqOffset, replay.originalTopic, force,
                    replay.requestedAt.timeIntervalSince1970, ReplayOutcome.pending.rawValue,
                ]
            )
            return ReplayRecord(request: replay, forced: force, outcome: .pending)
        }
    }

    /// Records how a replay ended.
    public func finishReplay(replayID: String, outcome: ReplayOutcome, detail: String?, at date: Date)
        async throws(SagaStoreError)
    {
        try await write("finish replay \(replayID)") { db in
            try db.executeCached(
                sql: "UPDATE dlq_replay SET outcome = ?, detail = ?, outcome_at = ? WHERE replay_id = ?",
                arguments: [outcome.rawValue, detail, date.timeIntervalSince1970, replayID]
            )
        }
    }

    /// A replay record by id.
    public func replay(id: String) async throws(SagaStoreError) -> ReplayRecord? {
        try await read("load replay \(id)") { db in
            try db.cachedRow(sql: "SELECT * FROM dlq_replay WHERE replay_id = ?", arguments: [id]).map(SQLiteRows.replay)
        }
    }

    // MARK: Plumbing

    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(SagaStoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.wrap(error, operation)
        }
    }

    func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(SagaStoreError) -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw Self.wrap(error, operation)
        }
    }

    static func wrap(_ error: any Error, _ operation: String) -> SagaStoreError {
        if let error = error as? SagaStoreError { return error }
        if error is CancellationError { return .cancelled(operation: operation) }
        return .database(operation: operation, underlying: String(describing: error))
    }
}

extension Database {
    /// Executes `sql` through GRDB's per-connection statement cache (parsed once per connection).
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// The first row of a cached query.
    func cachedRow(sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    /// All rows of a cached query.
    func cachedRows(sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }
}
