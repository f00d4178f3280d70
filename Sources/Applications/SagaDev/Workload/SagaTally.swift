import Foundation
import GRDB
import SagaCore
import SagaSQLite

/// Sagas counted by type and status from the orchestrator's store: the one-line summary
/// `sagactl dev` prints every few seconds.
public struct SagaTally: Sendable, Hashable {
    /// Counts by saga type, then by status (`running`, `compensating`, `completed`, `compensated`, `failed`).
    public var counts: [String: [String: Int]]

    /// Reads the counts from `store` in one query.
    public static func read(_ store: SQLiteSagaStore) async throws -> SagaTally {
        let counts = try await store.pool.read { db -> [String: [String: Int]] in
            var counts: [String: [String: Int]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT saga_type, status, COUNT(*) AS n FROM saga_instance GROUP BY saga_type, status")
            for row in rows {
                let type: String = row["saga_type"]
                let status: String = row["status"]
                let count: Int = row["n"]
                counts[type, default: [:]][status] = count
            }
            return counts
        }
        return SagaTally(counts: counts)
    }

    /// Reads the counts from any orchestrator store (SQLite or PostgreSQL) through its report query.
    public static func read(_ store: any SagaReportStore) async throws -> SagaTally {
        var counts: [String: [String: Int]] = [:]
        for (type, status, count) in try await store.counts() { counts[type, default: [:]][status.rawValue, default: 0] += count }
        return SagaTally(counts: counts)
    }

    /// Sagas of `type` in `status`.
    public func count(_ type: String, _ status: String) -> Int { counts[type]?[status] ?? 0 }

    /// Sagas of `type` started (every status).
    public func started(_ type: String) -> Int { counts[type]?.values.reduce(0, +) ?? 0 }

    /// e.g. `order: 12 started, 6 completed, 4 compensated, 0 failed, 2 running | transfer: …`
    public var summary: String {
        let types = counts.isEmpty ? ["order", "transfer"] : counts.keys.sorted()
        return types.map { type in
            let inFlight = count(type, "running") + count(type, "compensating")
            return "\(type): \(started(type)) started, \(count(type, "completed")) completed, "
                + "\(count(type, "compensated")) compensated, \(count(type, "failed")) failed, \(inFlight) in flight"
        }.joined(separator: " | ")
    }
}
