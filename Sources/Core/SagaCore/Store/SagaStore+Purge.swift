import Foundation

extension SagaStore {
    /// Deletes every row that expired before `date` (see ``purge(before:limit:)``), in
    /// transactions of at most `batch` rows of each kind, so the sagas' own writes take turns
    /// with it; returns how many. Stops between transactions once the task is cancelled.
    ///
    /// - Throws: the store's error; rows deleted by the transactions before it stay deleted.
    public func purgeExpired(before date: Date, batch: Int = SagaStorePurge.batch) async throws(SagaStoreError) -> Int {
        try await SagaStorePurge.rounds(batch: batch) { limit throws(SagaStoreError) in try await purge(before: date, limit: limit) }
    }

    /// Removes every finished saga that started and last changed before `date` (see
    /// ``purgeFinished(startedBefore:limit:)``), in transactions of at most `batch` sagas, so the
    /// sagas' own writes take turns with it; returns how many. Stops between transactions once
    /// the task is cancelled.
    ///
    /// - Throws: the store's error; sagas removed by the transactions before it stay removed.
    public func purgeFinished(startedBefore date: Date, batch: Int = SagaStorePurge.finishedSagas) async throws(SagaStoreError) -> Int {
        try await SagaStorePurge.rounds(batch: batch) { limit throws(SagaStoreError) in
            try await purgeFinished(startedBefore: date, limit: limit)
        }
    }
}

/// How the housekeeping purges expired rows.
public enum SagaStorePurge {
    /// Rows of each kind per purge transaction: a SQLite store then takes under 20 ms per
    /// transaction, so a backlog of millions never holds the sagas' writes back for longer
    /// than that at a time (`saga-bench --purge`; larger batches took no less time in all).
    public static let batch = 250
    /// Finished sagas of each status per transaction of the retention: a saga is some thirty
    /// rows (instance, step history, timeline), so this many are about as many rows as a purge
    /// transaction of expired rows deletes (`saga-bench --grown`: with 250, up to 185 ms per
    /// transaction in a store of 100,000 finished sagas).
    public static let finishedSagas = 25

    /// Runs `round` (one transaction removing at most `batch` of each kind) until it removes fewer
    /// than `batch` in all, which means fewer than `batch` of every kind: nothing is left. Stops
    /// between rounds once the task is cancelled; returns how many were removed.
    static func rounds(batch: Int, _ round: (Int) async throws(SagaStoreError) -> Int) async throws(SagaStoreError) -> Int {
        guard batch > 0 else { return 0 }
        var total = 0
        while !Task.isCancelled {
            let removed = try await round(batch)
            total += removed
            if removed < batch { break }
        }
        return total
    }
}
