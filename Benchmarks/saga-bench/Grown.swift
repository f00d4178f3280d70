import Foundation
import GRDB
import Kafka
import Logging
import SagaCore
import SagaSQLite

/// Time per message as the store grows: for each size, fresh stores run `sagas` sagas to their
/// end, are then filled to `size` finished sagas by copying those sagas' rows in every table
/// (keys renamed, so indexes grow as they would), and run `sagas` more. The CPU per saga of the
/// last run beside that of the first size shows whether a per-message statement scans.
func runGrown(sizes: [Int], sagas: Int, inFlight: Int, kafka: KafkaConfiguration, brokerPID: Int32?, logger: Logger) async throws {
    print("grown     \(sagas) sagas of 4 steps at up to \(inFlight) in flight through stores holding \(sizes.map(String.init).joined(separator: ", ")) finished sagas")
    var first: (cpu: Double, wall: Double)?
    for size in sizes {
        let directory = NSTemporaryDirectory() + "saga-bench-grown-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let prefix = "grown\(UUID().uuidString.prefix(6).lowercased())."
        try await createSagaTopics(prefix: prefix, kafka: kafka, logger: logger)
        let engine = try BenchEngine(directory: directory, prefix: prefix, kafka: kafka, brokerPID: brokerPID, logger: logger)
        try await engine.warmUp()
        let seed = min(sagas, size)
        _ = try await engine.drive(count: seed, inFlight: inFlight)
        try await engine.untilPublished()
        let began = ContinuousClock.now
        let copies = (size - 1) / seed  // seed × (1 + copies) ≥ size
        let finished = try StoreGrowth.copy(engine.orchestratorStore.pool, copies: copies)
        _ = try StoreGrowth.copy(engine.participantStore.pool, copies: copies)
        let growth = ContinuousClock.now - began
        engine.recorder.reset()
        let run = try await engine.drive(count: sagas, inFlight: inFlight)
        await engine.stop()
        let megabytes = [engine.orchestratorStore.path, engine.participantStore.path].map(StoreGrowth.megabytes).reduce(0, +)
        let cpu = (run.cpuSelf ?? .nan) * 1000 / Double(sagas)
        let wall = run.seconds * 1000 / Double(sagas)
        let ratio = first.map { String(format: " (%.2f× and %.2f× the first size)", cpu / $0.cpu, wall / $0.wall) } ?? ""
        if first == nil { first = (cpu, wall) }
        print(String(format: """
            grown     %d finished sagas (%.0f MB of SQLite, filled in %d s): %.0f sagas/s, %.2f ms CPU and %.2f ms wall per saga%@, \
            p50 %.0f ms, p99 %.0f ms, %d failed
            """, finished, megabytes, growth.components.seconds, Double(sagas) / run.seconds, cpu, wall, ratio,
            engine.recorder.percentile(50), engine.recorder.percentile(99), engine.recorder.failed))
        let tables = StoreGrowth.tableBytes(engine.orchestratorStore.pool).prefix(5)
            .map { String(format: "%@ %.1f", $0.table, Double($0.bytes) / Double(finished) / 1024) }
        print("grown     orchestrator store, KiB per finished saga (table and its indexes): \(tables.joined(separator: ", "))")
        let removal = try await StoreGrowth.removeFinished(engine.orchestratorStore)
        let left = StoreGrowth.tableBytes(engine.orchestratorStore.pool).filter { $0.table.hasPrefix("saga_") }.prefix(4)
            .map { String(format: "%@ %.2f", $0.table, Double($0.bytes) / Double(max(1, removal.removed)) / 1024) }
        print(String(format: """
            grown     retention of finished sagas: %d to tombstones in %.2f s, %d transactions (up to %d per status each), \
            the longest %.0f ms; then KiB per removed saga: %@
            """, removal.removed, removal.seconds, removal.transactions, SagaStorePurge.finishedSagas, removal.longest * 1000,
            left.joined(separator: ", ")))
    }
}

/// Fills a store with copies of the rows it holds: every table but the migrations', `copies`
/// times, its keys suffixed `~n` per copy (see `copyColumns`), its integer row ids left to
/// SQLite. Returns the saga instances then stored.
enum StoreGrowth {
    static func copy(_ pool: DatabasePool, copies: Int) throws -> Int {
        let tables = try pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                """)
        }
        // Filler, not saga data: no fsync per copy (the disk here takes ~3 MB/s of synced writes).
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        defer { try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") } }
        for table in tables {
            let (columns, values, renames) = try pool.read { db in try copyColumns(of: table, in: db) }
            try pool.write { db in try db.execute(sql: "CREATE TEMP TABLE growth_seed AS SELECT * FROM \(table)") }
            // One transaction per copy keeps the write-ahead log small.
            for copy in 0..<copies {
                try pool.write { db in
                    try db.execute(sql: "INSERT INTO \(table) (\(columns)) SELECT \(values) FROM temp.growth_seed", arguments: renames ? ["~\(copy + 1)"] : [])
                }
            }
            try pool.write { db in try db.execute(sql: "DROP TABLE temp.growth_seed") }
        }
        return try pool.read { db in
            guard try db.tableExists("saga_instance") else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM saga_instance") ?? 0
        }
    }

    /// The columns a copy of `table` writes, and the expressions that give their values: every
    /// column as it is, but `saga_id` and the last text column of each unique key (the message
    /// id of `(consumer, message_id)`) suffixed, and an integer row id left out.
    private static func copyColumns(of table: String, in db: Database) throws -> (columns: String, values: String, renames: Bool) {
        let info = try Row.fetchAll(db, sql: "SELECT name, type, pk FROM pragma_table_info(?)", arguments: [table])
        let types = Dictionary(uniqueKeysWithValues: info.map { ($0["name"] as String, ($0["type"] as String).uppercased()) })
        let primaryKey = info.filter { ($0["pk"] as Int) > 0 }.map { $0["name"] as String }
        let rowID = try primaryKey.count == 1 && types[primaryKey[0]] == "INTEGER" && !isWithoutRowID(table, in: db) ? primaryKey[0] : nil
        var renamed: Set<String> = types["saga_id"] == "TEXT" ? ["saga_id"] : []
        for index in try String.fetchAll(db, sql: "SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1", arguments: [table]) {
            let key = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [index])
            guard let text = key.last(where: { types[$0] == "TEXT" }) else {
                throw BenchError("cannot copy \(table): its unique key \(key) has no text column to rename")
            }
            renamed.insert(text)
        }
        let copied = info.map { $0["name"] as String }.filter { $0 != rowID }
        let values = copied.map { renamed.contains($0) ? "\"\($0)\" || ?1" : "\"\($0)\"" }
        return (copied.map { "\"\($0)\"" }.joined(separator: ", "), values.joined(separator: ", "), copied.contains(where: renamed.contains))
    }

    private static func isWithoutRowID(_ table: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?", arguments: [table]) ?? false
    }

    /// The bytes each table and its indexes take in the store of `pool`, largest first (from
    /// SQLite's `dbstat` table; empty when this SQLite lacks it).
    static func tableBytes(_ pool: DatabasePool) -> [(table: String, bytes: Int)] {
        let rows = try? pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT COALESCE(m.tbl_name, s.name) AS owner, SUM(s.pgsize) AS bytes
                FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name
                GROUP BY owner ORDER BY bytes DESC
                """)
        }
        return (rows ?? []).map { ($0["owner"], $0["bytes"]) }
    }

    /// Removes every finished saga of `store` as the housekeeping does past the retention
    /// (``SagaStore/purgeFinished(startedBefore:limit:)`` in bounded transactions), each timed.
    static func removeFinished(_ store: SQLiteSagaStore) async throws -> (removed: Int, transactions: Int, seconds: Double, longest: Double) {
        let cutoff = Date().addingTimeInterval(60)
        var removed = 0, transactions = 0, longest = 0.0
        let began = ContinuousClock.now
        while true {
            let start = ContinuousClock.now
            let batch = try await store.purgeFinished(startedBefore: cutoff, limit: SagaStorePurge.finishedSagas)
            longest = max(longest, (ContinuousClock.now - start).timeInterval)
            removed += batch
            transactions += 1
            if batch < SagaStorePurge.finishedSagas { break }
        }
        return (removed, transactions, (ContinuousClock.now - began).timeInterval, longest)
    }

    /// The size of a SQLite file and its write-ahead log, in megabytes.
    static func megabytes(_ path: String) -> Double {
        [path, path + "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
            .map { Double($0) / 1_048_576 }.reduce(0, +)
    }
}
