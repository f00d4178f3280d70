import Synchronization

/// The distinct SQL the PostgreSQL stores of this process ran, per schema, and how often they
/// waited for the server, while recording: for tests that read the query plans of what a
/// workload ran, and count its round trips. (The server counts statements itself, in
/// `pg_stat_statements`, which the benchmark reads.)
///
/// Outside a recording this costs one atomic load per statement.
public enum PostgresStatistics {
    private static let recording = Atomic<Bool>(false)
    private static let recorded = Mutex<[String: Set<String>]>([:])
    private static let waits = Mutex<[String: Int]>([:])

    /// Starts keeping the distinct SQL of every statement run by stores on `schemas`.
    public static func record(schemas: [String]) {
        recorded.withLock { recorded in for schema in schemas { recorded[schema] = recorded[schema] ?? [] } }
        waits.withLock { waits in for schema in schemas { waits[schema] = waits[schema] ?? 0 } }
        recording.store(true, ordering: .relaxed)
    }

    /// The distinct SQL run on `schema` since ``record(schemas:)``.
    public static func statements(ofSchema schema: String) -> Set<String> {
        recorded.withLock { $0[schema] ?? [] }
    }

    /// How many times stores on `schema` waited for the server's answers since
    /// ``record(schemas:)``: each a round trip, however many statements it answered.
    public static func waits(ofSchema schema: String) -> Int {
        waits.withLock { $0[schema] ?? 0 }
    }

    /// Notes that a store on `schema` waited for the server.
    static func waited(schema: String) {
        guard recording.load(ordering: .relaxed) else { return }
        waits.withLock { waits in if waits[schema] != nil { waits[schema]? += 1 } }
    }

    /// Notes that a store on `schema` ran `sql`.
    static func ran(_ sql: @autoclosure () -> String, schema: String) {
        guard recording.load(ordering: .relaxed) else { return }
        let sql = sql()
        recorded.withLock { recorded in if recorded[schema] != nil { recorded[schema]?.insert(sql) } }
    }
}
