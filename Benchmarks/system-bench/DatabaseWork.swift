import Foundation
import PostgresNIO
import SagaPostgres
import SagaSQLite

/// Database work done so far: statements executed (on PostgreSQL each is one round trip to the
/// server; `BEGIN` and `COMMIT` included) and transactions committed (`COMMIT`s: every store
/// operation's transaction, reads' included; on PostgreSQL a lone statement outside one, such as
/// marking outbox rows published, counts as a statement only).
struct DatabaseWork: Sendable {
    var statements: Int
    var commits: Int

    static func - (after: DatabaseWork, before: DatabaseWork) -> DatabaseWork {
        DatabaseWork(statements: after.statements - before.statements, commits: after.commits - before.commits)
    }
}

/// Reads ``DatabaseWork`` where the configuration keeps its data.
enum DatabaseWorkMeter: Sendable {
    /// Every SQLite store of this process (the only process on SQLite): the adapter's own counters.
    case sqlite
    /// The whole PostgreSQL database, every process's connections: `pg_stat_statements`, which the
    /// server updates as each statement ends (`pg_stat_database` lags by up to seconds). Queried
    /// through `store`'s pool; the query itself adds 4 statements and 1 commit.
    case postgres(PostgresSagaStore)

    /// Loads `pg_stat_statements` into the database (the server must preload it; scripts/bench-system does).
    static func prepare(_ store: PostgresSagaStore) async throws {
        do {
            _ = try await store.transaction("create pg_stat_statements") { transaction in
                try transaction.query(PostgresQuery(unsafeSQL: "CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public"))
            }
        } catch {
            throw BenchError("cannot use pg_stat_statements (start the server with shared_preload_libraries=pg_stat_statements, "
                + "as scripts/bench-system does): \(error)")
        }
    }

    func read() async throws -> DatabaseWork {
        switch self {
        case .sqlite:
            return DatabaseWork(statements: SQLiteStatistics.statements, commits: SQLiteStatistics.commits)
        case .postgres(let store):
            return try await store.transaction("read pg_stat_statements") { transaction in
                let result = try transaction.query(PostgresQuery(unsafeSQL: """
                    SELECT COALESCE(SUM(calls), 0)::bigint AS statements,
                           COALESCE(SUM(calls) FILTER (WHERE upper(query) = 'COMMIT'), 0)::bigint AS commits
                    FROM public.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """))
                guard let row = result.rows.first else { throw BenchError("pg_stat_statements returned no row") }
                return DatabaseWork(statements: Int(try row["statements"].decode(Int64.self)), commits: Int(try row["commits"].decode(Int64.self)))
            }
        }
    }
}
