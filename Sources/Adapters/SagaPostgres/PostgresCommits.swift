import Foundation
import NIOCore
import PostgresNIO
import SagaCore

/// Applies a ``SagaCommit`` inside an open transaction: the orchestrator's commits and a
/// participant's inbox entries and outbox rows go through this one path.
///
/// Under PostgreSQL's default `READ COMMITTED`, two replicas writing the same row meet as they
/// should: a second insert of the same inbox entry or saga waits for the first to commit and
/// then inserts nothing; a second update of the same saga version waits, re-reads the row and
/// matches nothing (a version conflict).
enum PostgresCommits {
    /// Applies `commit`; a thrown error rolls the whole transaction back.
    ///
    /// With `deferringChecks` (a batch of commits in one transaction) the saga's insert or update
    /// is sent without waiting, and whether it took effect is checked when the transaction reads
    /// its answers (before its next query or `COMMIT`): the same errors, thrown later, and the
    /// whole transaction rolls back as before. Only the inbox entry is waited for, since a
    /// duplicate must write nothing.
    ///
    /// - Throws: ``SagaExists`` for an insert whose saga id is taken (roll back, report
    ///   ``CommitResult/sagaExists``); ``SagaStoreError/versionConflict(sagaID:expected:)`` for a
    ///   stale update; postgres-nio's errors.
    static func apply(_ commit: SagaCommit, in transaction: PostgresTransaction, deferringChecks: Bool = false) throws -> CommitResult {
        let now = Date().timeIntervalSince1970
        // The inbox entry, inserted now unless the transaction inserted it ahead (``PrerecordedInbox``).
        if let entry = commit.inbox, try !transaction.prerecorded.record(entry, in: transaction) { return .duplicateMessage }
        var newVersion: Int64?
        switch commit.saga {
        case .insert(let state):
            var binds = PostgresBindings()
            try PostgresRows.bind(state, to: &binds)
            binds.append(state.version)
            let marks = (PostgresRows.columns.indices.map { PostgresRows.placeholder($0) } + ["$\(binds.count)"]).joined(separator: ", ")
            let sql = "INSERT INTO saga_instance (\(PostgresRows.columns.joined(separator: ", ")), version) VALUES (\(marks)) ON CONFLICT DO NOTHING"
            // Idempotent start: the saga exists, or existed and was removed after it finished. Keep
            // nothing of this commit, not even the inbox row. The tombstone is looked for after the
            // insert: a removal committed while the insert waited on the old row is then seen.
            let insert = PostgresQuery(unsafeSQL: sql, binds: binds)
            let tombstone: PostgresQuery = "SELECT 1 FROM saga_tombstone WHERE saga_id = \(state.sagaID)"
            if deferringChecks {
                try transaction.send(insert) { if $0.changed == 0 { throw SagaExists() } }
                try transaction.send(tombstone) { if !$0.rows.isEmpty { throw SagaExists() } }
            } else if try transaction.query(insert).changed == 0 || !transaction.query(tombstone).rows.isEmpty {
                throw SagaExists()
            }
            newVersion = state.version
        case .update(let state):
            var binds = PostgresBindings()
            try PostgresRows.bind(state, to: &binds)
            let count = binds.count
            binds.append(state.version + 1)
            binds.append(state.sagaID)
            binds.append(state.version)
            let assignments = PostgresRows.columns.indices.map { "\(PostgresRows.columns[$0]) = \(PostgresRows.placeholder($0))" }
                .joined(separator: ", ")
            // A committed change ends any replica's timer claim: the saga's (new) deadline is free for whoever sees it due.
            let sql = """
                UPDATE saga_instance SET \(assignments), version = $\(count + 1), timer_claimed_by = NULL, timer_claimed_until = NULL
                WHERE saga_id = $\(count + 2) AND version = $\(count + 3)
                """
            let update = PostgresQuery(unsafeSQL: sql, binds: binds)
            let (sagaID, expected) = (state.sagaID, state.version)
            if deferringChecks {
                try transaction.send(update) { if $0.changed == 0 { throw SagaStoreError.versionConflict(sagaID: sagaID, expected: expected) } }
            } else if try transaction.query(update).changed == 0 {
                throw SagaStoreError.versionConflict(sagaID: sagaID, expected: expected)
            }
            newVersion = state.version + 1
        case nil:
            break
        }
        if let sagaID = commit.sagaID {
            for change in commit.history { try PostgresRows.write(change, sagaID: sagaID, in: transaction) }
            try PostgresTimeline.write(commit.timeline, sagaID: sagaID, in: transaction)
        }
        try writeOutbox(commit.outbox, at: now, in: transaction)
        if let audit = commit.audit { _ = try PostgresSagaStore.writeAudit(audit, in: transaction) }
        return .committed(version: newVersion)
    }
}

extension PostgresCommits {
    /// Inserts `messages` into the outbox, one multi-row statement (per
    /// ``PostgresTransaction/rowsPerInsert``), sent without waiting for its answer.
    static func writeOutbox(_ messages: [OutgoingMessage], at now: Double, in transaction: PostgresTransaction) throws {
        let columns = ["topic", "key", "value", "header_keys", "header_values", "created_at"]
        try transaction.sendInsert(into: "outbox", columns: columns, messages) { message, binds in
            binds.append(message.topic)
            try binds.append(Data(message.key))
            try binds.append(Data(message.value))
            binds.append(message.headers.map(\.key))
            binds.append(message.headers.map { ByteBuffer(bytes: $0.value) })
            binds.append(now)
        }
    }
}
