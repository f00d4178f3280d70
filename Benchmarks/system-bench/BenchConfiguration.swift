import Foundation

/// One combination the benchmark measures: where the roles keep their data, and how many
/// orchestrator replicas consume in one consumer group.
struct BenchConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Where every role keeps its data.
    enum Store: String, Sendable, Hashable, CaseIterable {
        /// One SQLite file per role in a temporary directory.
        case sqlite
        /// One schema per role on the PostgreSQL server at `SAGA_BENCH_DATABASE_URL`.
        case postgres
    }

    var store: Store
    /// 1: the orchestrator of the benchmark's process; 2: that one and a `saga-server --role
    /// orchestrator` process on the same schema and consumer group.
    var orchestrators: Int

    var description: String { "\(store.rawValue) × \(orchestrators) orchestrator\(orchestrators == 1 ? "" : "s")" }

    /// The combinations `--store` and `--orchestrators` select, in a fixed order. Two replicas need a
    /// database both reach: on SQLite only one orchestrator runs (``skipped`` says so).
    static func selected(stores: [Store], orchestrators: [Int]) -> (run: [BenchConfiguration], skipped: [String]) {
        var run: [BenchConfiguration] = [], skipped: [String] = []
        for store in stores {
            for count in orchestrators {
                if store == .sqlite, count > 1 {
                    skipped.append("sqlite × \(count) orchestrators: replicas share one database, and a SQLite file is one process's")
                } else {
                    run.append(BenchConfiguration(store: store, orchestrators: count))
                }
            }
        }
        return (run, skipped)
    }
}
