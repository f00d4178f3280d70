import Foundation
import PostgresNIO
import SagaCore

extension PostgresSagaStore {
    /// The instance with id `sagaID`, or `nil`.
    public func load(sagaID: String) async throws(SagaStoreError) -> SagaState? {
        try await operation("load saga \(sagaID)", transactional: false) { transaction in
            try PostgresSagaTransaction(transaction: transaction).load(sagaID: sagaID)
        }
    }

    /// Applies `commit` in one transaction (see ``PostgresCommits``).
    public func commit(_ commit: SagaCommit) async throws(SagaStoreError) -> CommitResult {
        do {
            return try await run { transaction in try PostgresCommits.apply(commit, in: transaction) }
        } catch is SagaExists {
            return .sagaExists
        } catch {
            throw Self.wrap(error, "commit \(commit.sagaID ?? commit.inbox?.messageID ?? "")")
        }
    }

    /// Whether `messageID` was already processed by `consumer`.
    public func isProcessed(consumer: String, messageID: String) async throws(SagaStoreError) -> Bool {
        try await operation("inbox lookup \(messageID)", transactional: false) { transaction in
            try transaction.query("SELECT 1 FROM inbox WHERE consumer = \(consumer) AND message_id = \(messageID)").rows.isEmpty == false
        }
    }

    /// The per-request history of a saga, oldest first.
    public func history(sagaID: String) async throws(SagaStoreError) -> [StepAttemptRecord] {
        try await operation("history of \(sagaID)", transactional: false) { transaction in
            try Self.history(sagaID: sagaID, in: transaction)
        }
    }

    static func history(sagaID: String, in transaction: PostgresTransaction) throws -> [StepAttemptRecord] {
        try transaction.query("SELECT * FROM saga_step_history WHERE saga_id = \(sagaID) ORDER BY sequence").rows
            .map(PostgresRows.attempt)
    }

    /// Instances in `status`, oldest first.
    public func sagas(status: SagaStatus, limit: Int) async throws(SagaStoreError) -> [SagaState] {
        try await operation("list \(status) sagas", transactional: false) { transaction in
            try transaction.query("""
                SELECT * FROM saga_instance WHERE status = \(status.rawValue) ORDER BY created_at, saga_id LIMIT \(limit)
                """).rows.map(PostgresRows.state)
        }
    }

    /// The number of instances per status.
    public func countByStatus() async throws(SagaStoreError) -> [SagaStatus: Int] {
        try await operation("count sagas", transactional: false) { transaction in
            var counts: [SagaStatus: Int] = [:]
            for row in try transaction.execute("SELECT status, COUNT(*) AS n FROM saga_instance GROUP BY status").rows {
                let read = PostgresRowReader(row: row, table: "saga_instance", key: "count")
                counts[try read.value("status", SagaStatus.self)] = try read("n", Int.self)
            }
            return counts
        }
    }

    // MARK: Replays

    /// Records a replay; refuses a second replay of the same DLQ record unless `force`.
    public func beginReplay(_ replay: ReplayRequest, force: Bool) async throws(SagaStoreError) -> ReplayRecord {
        try await operation("record replay \(replay.replayID)") { transaction in
            // Two operators replaying the same record at once: the second waits for the first's decision.
            try transaction.query(
                "SELECT pg_advisory_xact_lock(hashtext(\("saga-replay:\(replay.dlqTopic)/\(replay.dlqPartition)@\(replay.dlqOffset)")))")
            if !force, let previous = try transaction.query("""
                SELECT replay_id FROM dlq_replay
                WHERE dlq_topic = \(replay.dlqTopic) AND dlq_partition = \(replay.dlqPartition) AND dlq_offset = \(replay.dlqOffset)
                  AND outcome <> \(ReplayOutcome.notPublished.rawValue)
                LIMIT 1
                """).rows.first
            {
                throw SagaStoreError.alreadyReplayed(
                    dlqTopic: replay.dlqTopic, partition: replay.dlqPartition, offset: replay.dlqOffset,
                    previousReplayID: try PostgresRowReader(row: previous, table: "dlq_replay", key: "?")("replay_id"))
            }
            try transaction.query("""
                INSERT INTO dlq_replay (replay_id, dlq_topic, dlq_partition, dlq_offset, original_topic, forced, requested_at, outcome)
                VALUES (\(replay.replayID), \(replay.dlqTopic), \(replay.dlqPartition), \(replay.dlqOffset), \(replay.originalTopic),
                        \(force), \(replay.requestedAt.timeIntervalSince1970), \(ReplayOutcome.pending.rawValue))
                """)
            return ReplayRecord(request: replay, forced: force, outcome: .pending)
        }
    }

    /// Records how a replay ended.
    public func finishReplay(replayID: String, outcome: ReplayOutcome, detail: String?, at date: Date) async throws(SagaStoreError) {
        _ = try await operation("finish replay \(replayID)", transactional: false) { transaction in
            try transaction.query("""
                UPDATE dlq_replay SET outcome = \(outcome.rawValue), detail = \(detail), outcome_at = \(date.timeIntervalSince1970)
                WHERE replay_id = \(replayID)
                """)
        }
    }

    /// A replay record by id.
    public func replay(id: String) async throws(SagaStoreError) -> ReplayRecord? {
        try await operation("load replay \(id)", transactional: false) { transaction in
            try transaction.query("SELECT * FROM dlq_replay WHERE replay_id = \(id)").rows.first.map(PostgresRows.replay)
        }
    }
}
