import Foundation
import PostgresNIO
import SagaCore

/// The outbox and the timers, shared by several replicas through claims.
///
/// A replica that reads pending outbox rows or due sagas claims them until now + the claim
/// lease; the others skip rows claimed by someone else until the lease ends (the claimer crashed
/// or stalls), so a row is normally published, and a timer fired, by one replica only. A claim
/// ends early when its rows are marked published, or when a commit changes the claimed saga.
extension PostgresSagaStore {
    /// Claims and returns up to `limit` unpublished outbox rows, in write order.
    ///
    /// A row is skipped while another replica holds it, and so is every later row with the same
    /// topic and key (one saga's messages): a saga's messages leave in the order they were
    /// written even when replicas share the outbox. Claims are taken one replica at a time (a
    /// transaction-level advisory lock), so two replicas never split one key between them; the
    /// rows a replica claimed stay its own until it marks them published or its lease ends.
    ///
    /// The other replicas' claims are read first, from the index of claimed rows (`held`: a few
    /// rows per replica), and each pending row, in id order, is checked against them until
    /// `limit` passed: the cost grows with the rows returned, not with the backlog. The check is
    /// a subquery per row (`<= ALL`), which PostgreSQL cannot turn into a join, so no statistics
    /// can make it read the whole backlog first. (An anti-join against every earlier pending row
    /// of the key did, depending on the statistics: 333 ms per claim of 100 rows at a backlog of
    /// 10,000, or a scan of the whole table.)
    public func pendingOutbox(limit: Int) async throws(SagaStoreError) -> [OutboxRecord] {
        try await pendingOutbox(limit: limit, excluding: [])
    }

    /// Claims and returns up to `limit` unpublished outbox rows, in write order, as
    /// ``pendingOutbox(limit:)`` does, but for `excluded` (the rows the relay has in flight,
    /// claimed by this replica already): they are neither returned nor claimed again.
    public func pendingOutbox(limit: Int, excluding excluded: Set<Int64>) async throws(SagaStoreError) -> [OutboxRecord] {
        let me = instanceID
        let skipped = Array(excluded)
        let lease = configuration.claimLease
        return try await operation("pending outbox") { transaction in
            let now = Date().timeIntervalSince1970
            try transaction.send("SELECT pg_advisory_xact_lock(hashtext('saga-outbox-claim:' || current_schema()))")
            return try transaction.query("""
                WITH held AS MATERIALIZED (
                    SELECT topic, key, MIN(id) AS first_id FROM outbox
                    WHERE claimed_by IS NOT NULL AND claimed_by <> \(me) AND claimed_until >= \(now)
                    GROUP BY topic, key),
                candidates AS (
                    SELECT o.id FROM outbox o
                    WHERE o.published_at IS NULL
                      AND (o.claimed_by IS NULL OR o.claimed_by = \(me) OR o.claimed_until < \(now))
                      AND o.id <> ALL (\(skipped))
                      AND o.id <= ALL (SELECT h.first_id FROM held h WHERE h.topic = o.topic AND h.key = o.key)
                    ORDER BY o.id LIMIT \(limit)
                    FOR UPDATE OF o SKIP LOCKED)
                UPDATE outbox SET claimed_by = \(me), claimed_until = \(now + lease)
                FROM candidates WHERE outbox.id = candidates.id
                RETURNING outbox.*
                """).rows.map(PostgresRows.outbox).sorted { $0.id < $1.id }
        }
    }

    /// Marks outbox rows published (after their delivery reports).
    public func markPublished(_ ids: [Int64], at date: Date) async throws(SagaStoreError) {
        guard !ids.isEmpty else { return }
        _ = try await operation("mark \(ids.count) outbox rows published", transactional: false) { transaction in
            try transaction.query("""
                UPDATE outbox SET published_at = \(date.timeIntervalSince1970), claimed_by = NULL, claimed_until = NULL
                WHERE id = ANY(\(ids))
                """)
        }
    }

    /// Deletes up to `limit` of each: published outbox rows, inbox entries and participants'
    /// stored replies older than `date`, oldest first, in one short transaction. Rows another
    /// replica's purge holds are skipped (it deletes them), so replicas purging at once do not
    /// wait for each other.
    public func purge(before date: Date, limit: Int) async throws(SagaStoreError) -> Int {
        guard limit > 0 else { return 0 }
        let cutoff = date.timeIntervalSince1970
        return try await operation("purge") { transaction in
            let outbox = try transaction.query("""
                DELETE FROM outbox WHERE id IN (
                    SELECT id FROM outbox WHERE published_at < \(cutoff) ORDER BY published_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                """).changed
            let inbox = try transaction.query("""
                DELETE FROM inbox WHERE (consumer, message_id) IN (
                    SELECT consumer, message_id FROM inbox WHERE processed_at < \(cutoff) ORDER BY processed_at LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                """).changed
            let replies = try transaction.query("""
                DELETE FROM participant_reply WHERE (consumer, idempotency_key) IN (
                    SELECT consumer, idempotency_key FROM participant_reply WHERE created_at < \(cutoff) ORDER BY created_at LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                """).changed
            return outbox + inbox + replies
        }
    }

    // MARK: Timers

    /// The earliest time a timer may fire here: the earliest deadline, where a deadline another
    /// replica holds a claim on counts from the end of that claim.
    ///
    /// Two index reads: the first free deadline in deadline order, and the other replicas'
    /// claims from the index of claimed sagas; neither reads every saga in flight.
    public func nextDeadline() async throws(SagaStoreError) -> Date? {
        let me = instanceID
        return try await operation("next deadline", transactional: false) { transaction in
            let now = Date().timeIntervalSince1970
            let row = try transaction.query("""
                SELECT LEAST(
                    (SELECT MIN(deadline) FROM saga_instance
                     WHERE deadline IS NOT NULL
                       AND (timer_claimed_by IS NULL OR timer_claimed_by = \(me) OR timer_claimed_until < \(now))),
                    (SELECT MIN(GREATEST(deadline, timer_claimed_until)) FROM saga_instance
                     WHERE timer_claimed_by IS NOT NULL AND timer_claimed_by <> \(me) AND timer_claimed_until >= \(now)
                       AND deadline IS NOT NULL)) AS next
                """).rows.first
            return try row.flatMap { try PostgresRowReader(row: $0, table: "saga_instance", key: "next deadline")("next", Double?.self) }
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Claims and returns instances whose deadline is at or before `now`, earliest first; sagas
    /// another replica holds, or is changing right now, are left to it.
    public func dueSagas(now: Date, limit: Int) async throws(SagaStoreError) -> [SagaState] {
        let me = instanceID
        let lease = configuration.claimLease
        return try await operation("due sagas") { transaction in
            let wall = Date().timeIntervalSince1970
            return try transaction.query("""
                WITH due AS (
                    SELECT saga_id FROM saga_instance
                    WHERE deadline IS NOT NULL AND deadline <= \(now.timeIntervalSince1970)
                      AND (timer_claimed_by IS NULL OR timer_claimed_by = \(me) OR timer_claimed_until < \(wall))
                    ORDER BY deadline LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                UPDATE saga_instance s SET timer_claimed_by = \(me), timer_claimed_until = \(wall + lease)
                FROM due WHERE s.saga_id = due.saga_id
                RETURNING s.*
                """).rows.map(PostgresRows.state)
                .sorted { ($0.deadline ?? .distantPast, $0.sagaID) < ($1.deadline ?? .distantPast, $1.sagaID) }
        }
    }
}
