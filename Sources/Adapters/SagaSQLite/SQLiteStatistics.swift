import GRDB
import Synchronization

/// What every ``SQLiteSagaStore`` of this process (and so every participant service's store on
/// SQLite) has asked of SQLite since the process started: statements executed and write
/// transactions committed. Benchmarks read it to report database work per saga.
///
/// Counting is an atomic increment per statement and per commit on the connection that runs it
/// (no lock, no allocation).
public enum SQLiteStatistics {
    private static let statementCount = Atomic<Int>(0)
    fileprivate static let commitCount = Atomic<Int>(0)
    private static let recording = Atomic<Bool>(false)
    private static let recorded = Mutex<[String: Set<String>]>([:])

    /// Statements executed (each `BEGIN` and `COMMIT` included): SQLite's counterpart of a
    /// client-server database's round trips.
    public static var statements: Int { statementCount.load(ordering: .relaxed) }

    /// Write transactions committed.
    public static var commits: Int { commitCount.load(ordering: .relaxed) }

    /// Starts keeping the distinct SQL of every statement run on the database files in `paths`
    /// (for tests that read the query plans of what a workload ran).
    public static func record(databasesAt paths: [String]) {
        recorded.withLock { recorded in for path in paths { recorded[path] = recorded[path] ?? [] } }
        recording.store(true, ordering: .relaxed)
    }

    /// The distinct SQL run on the file at `path` since ``record(databasesAt:)``.
    public static func statements(ofDatabaseAt path: String) -> Set<String> {
        recorded.withLock { $0[path] ?? [] }
    }

    /// Counts the statements `db` (a connection to the file at `path`) executes from now on (its
    /// trace hook) and the write transactions it commits (a transaction observer); call it once
    /// per connection. A statement's SQL is read only while recording: GRDB builds it with
    /// Foundation's string trimming, which cost a tenth of a busy process's CPU.
    static func count(_ db: Database, path: String) {
        db.add(transactionObserver: CommitCounter(), extent: .databaseLifetime)
        db.trace(options: .statement) { event in
            guard case .statement(let statement) = event else { return }
            statementCount.add(1, ordering: .relaxed)
            if recording.load(ordering: .relaxed) {
                let sql = statement.sql
                recorded.withLock { recorded in if recorded[path] != nil { recorded[path]?.insert(sql) } }
            }
        }
    }

    /// Counts commits of write transactions (GRDB tells read-only connections' observers nothing).
    private final class CommitCounter: TransactionObserver {
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { SQLiteStatistics.commitCount.add(1, ordering: .relaxed) }
        func databaseDidRollback(_ db: Database) {}
    }
}
