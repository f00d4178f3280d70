import Foundation
import GRDB
import Histogram
import SagaCore
import SagaSQLite
import Synchronization

/// What the housekeeping's purge costs the sagas: a SQLite store holding `rows` expired rows of
/// each kind (published outbox rows, inbox entries, participants' replies) and a tenth as many
/// that have not expired is purged while a writer commits an inbox entry and an outbox row back
/// to back, as a lane does. Reported: the purge's time, its longest write transaction, and the
/// writer's commit latency meanwhile. Beside it, in the same run, the purge as it was before the
/// expiry indexes (one transaction reading each table whole) on a copy of the same store
/// without them, and what the indexes cost a commit when nothing is purged.
func runPurge(rows: Int) async throws {
    let directory = NSTemporaryDirectory() + "saga-bench-purge-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    print("purge     \(rows) expired rows of each kind (\(rows / 10) not expired) in a SQLite store, a writer committing meanwhile")

    let indexed = try SQLiteSagaStore(path: directory + "/indexed.sqlite")
    try PurgeFixture.fill(indexed.pool, expired: rows, recent: rows / 10)
    try await indexed.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    try FileManager.default.copyItem(atPath: indexed.path, toPath: directory + "/former.sqlite")
    let former = try SQLiteSagaStore(path: directory + "/former.sqlite")
    try await former.pool.write { db in
        for index in ["outbox_published", "inbox_processed", "participant_reply_created"] { try db.execute(sql: "DROP INDEX \(index)") }
    }

    let seconds = PurgeFixture.seconds
    // Two seconds each, alternating, twice: what the indexes cost a commit (an inbox entry's index row).
    var rates: [Double] = []
    for store in [former, indexed, former, indexed] { rates.append(try await PurgeFixture.commitRate(store)) }
    print(String(format: """
        purge     commits/s with nothing to purge: without the expiry indexes %.0f and %.0f, with them %.0f and %.0f \
        (%.2f× of without)
        """, rates[0], rates[2], rates[1], rates[3], (rates[1] + rates[3]) / (rates[0] + rates[2])))
    let cutoff = Date(timeIntervalSince1970: PurgeFixture.recentFrom)
    let before = try await PurgeFixture.measure(former, label: "former") {
        let start = ContinuousClock.now
        let removed = try await former.pool.write { db -> Int in
            var removed = 0
            for sql in [
                "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ?",
                "DELETE FROM inbox WHERE processed_at < ?",
                "DELETE FROM participant_reply WHERE created_at < ?",
            ] {
                try db.execute(sql: sql, arguments: [cutoff.timeIntervalSince1970])
                removed += db.changesCount
            }
            return removed
        }
        return (removed, 1, seconds(ContinuousClock.now - start))
    }
    let after = try await PurgeFixture.measure(indexed, label: "batched") {
        // As `purgeExpired` does, with each transaction timed.
        var removed = 0, transactions = 0, longest = 0.0
        while true {
            let start = ContinuousClock.now
            let batch = try await indexed.purge(before: cutoff, limit: SagaStorePurge.batch)
            longest = max(longest, seconds(ContinuousClock.now - start))
            removed += batch
            transactions += 1
            if batch < SagaStorePurge.batch { return (removed, transactions, longest) }
        }
    }
    for (label, result) in [("former: one transaction, tables read whole", before), ("now: batches of \(SagaStorePurge.batch) per kind", after)] {
        print(String(format: """
            purge     %@: %d rows in %.2f s (%d transactions, the longest %.0f ms); \
            %d commits meanwhile, latency p50 %.1f ms, p99 %.1f ms, max %.0f ms
            """, label, result.removed, result.seconds, result.transactions, result.longest * 1000,
            result.commits, result.p50, result.p99, result.max))
    }
    print(String(format: "ratio     longest wait of a commit during the purge, former / now: %.0f×", before.max / after.max))
}

/// The store's filler and the timed runs of ``runPurge(rows:)``.
enum PurgeFixture {
    /// Expired rows are stamped from 1,000 s after 1970, the rest from this time on.
    static let recentFrom: Double = 100_000_000

    /// Inserts `expired` and `recent` rows of each kind, sized like a saga's (an outbox row of
    /// ~400 bytes), in transactions of 100,000.
    static func fill(_ pool: DatabasePool, expired: Int, recent: Int) throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }  // filler
        defer { try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") } }
        for (count, stamp, prefix) in [(expired, 1_000.0, "old"), (recent, recentFrom, "new")] {
            for first in stride(from: 0, to: count, by: 100_000) {
                let arguments: StatementArguments = [first, min(count, first + 100_000), stamp, prefix]
                try pool.write { db in
                    let numbers = "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)"
                    try db.execute(sql: """
                        \(numbers) INSERT INTO outbox (topic, key, value, headers, created_at, published_at)
                        SELECT 'bench.commands', randomblob(16), randomblob(300), randomblob(100), ?3 + i, ?3 + i FROM n
                        """, arguments: [first, min(count, first + 100_000), stamp])
                    try db.execute(sql: """
                        \(numbers) INSERT INTO inbox (consumer, message_id, topic, partition, "offset", processed_at)
                        SELECT 'orchestrator', ?4 || '-' || i, 'bench.replies', 0, i, ?3 + i FROM n
                        """, arguments: arguments)
                    try db.execute(sql: """
                        \(numbers) INSERT INTO participant_reply (consumer, idempotency_key, message_type, payload, created_at)
                        SELECT 'payment-service', ?4 || '-' || i, 'PaymentAuthorized', randomblob(60), ?3 + i FROM n
                        """, arguments: arguments)
                }
            }
        }
    }

    /// Commits per second of one writer (an inbox entry and an outbox row each) for two seconds.
    static func commitRate(_ store: SQLiteSagaStore) async throws -> Double {
        let label = "rate-\(UUID().uuidString.prefix(8))"
        let start = ContinuousClock.now
        var commits = 0
        while ContinuousClock.now - start < .seconds(2) {
            _ = try await store.commit(commit(label: label, index: commits))
            commits += 1
        }
        return Double(commits) / seconds(ContinuousClock.now - start)
    }

    struct Result {
        var removed: Int, transactions: Int, seconds: Double, longest: Double
        var commits: Int, p50: Double, p99: Double, max: Double
    }

    /// Runs `purge` while a writer commits back to back; its latency is recorded until the purge returns.
    static func measure(
        _ store: SQLiteSagaStore, label: String, _ purge: @escaping @Sendable () async throws -> (removed: Int, transactions: Int, longest: Double)
    ) async throws -> Result {
        let done = Atomic(false)
        let writer = Task {
            var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
            var index = 0
            while !done.load(ordering: .relaxed) {
                let start = ContinuousClock.now
                _ = try await store.commit(commit(label: label, index: index))
                histogram.record(UInt64(seconds(ContinuousClock.now - start) * 1_000_000))
                index += 1
            }
            return histogram
        }
        let start = ContinuousClock.now
        let outcome = try await purge()
        let elapsed = seconds(ContinuousClock.now - start)
        done.store(true, ordering: .relaxed)
        let histogram = try await writer.value
        let remaining = try await store.pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM outbox WHERE published_at < ?1) + (SELECT COUNT(*) FROM inbox WHERE processed_at < ?1)
                     + (SELECT COUNT(*) FROM participant_reply WHERE created_at < ?1)
                """, arguments: [recentFrom]) ?? -1
        }
        guard remaining == 0 else { throw BenchError("the \(label) purge left \(remaining) expired rows") }
        return Result(
            removed: outcome.removed, transactions: outcome.transactions, seconds: elapsed,
            longest: outcome.longest, commits: Int(histogram.totalCount),
            p50: Double(histogram.valueAtPercentile(50)) / 1000, p99: Double(histogram.valueAtPercentile(99)) / 1000,
            max: Double(histogram.max) / 1000)
    }

    static func commit(label: String, index: Int) -> SagaCommit {
        SagaCommit(
            inbox: InboxEntry(consumer: "orchestrator", messageID: "\(label)-\(index)", topic: "bench.replies", partition: 0, offset: Int64(index)),
            outbox: [OutgoingMessage(topic: "bench.commands", key: Array("k\(index)".utf8), value: [UInt8](repeating: 7, count: 300), headers: [])])
    }

    static func seconds(_ duration: Duration) -> Double {
        duration.timeInterval
    }
}
