import GRDB
import Synchronization

/// What every ``SQLiteSagaStore`` of this process (and so every participant service's store on
/// SQLite) has asked of SQLite since the process started: statements executed and transactions
/// committed, reads' included. Benchmarks read it to report database work per saga.
///
/// Counting is an atomic increment per statement on the connection that runs it (no lock, no
/// allocation beyond reading the statement's SQL to spot a `COMMIT`).
public enum SQLiteStatistics {
    private static let statementCount = Atomic<Int>(0)
    private static let commitCount = Atomic<Int>(0)

    /// Statements executed (each `BEGIN` and `COMMIT` included): SQLite's counterpart of a
    /// client-server database's round trips.
    public static var statements: Int { statementCount.load(ordering: .relaxed) }

    /// Transactions committed, read transactions included.
    public static var commits: Int { commitCount.load(ordering: .relaxed) }

    /// Counts the statements `db` executes from now on (its trace hook; call it once per connection).
    static func count(_ db: Database) {
        db.trace(options: .statement) { event in
            guard case .statement(let statement) = event else { return }
            statementCount.add(1, ordering: .relaxed)
            if statement.sql.hasPrefix("COMMIT") { commitCount.add(1, ordering: .relaxed) }
        }
    }
}
