import Dispatch
import SagaCore
import SagaTestSupport
import ServiceKit

/// A pause inside a transaction, for tests that interleave two: the transaction calls
/// ``pauseHere()``, which returns once the test calls ``release()``.
public final class TransactionPause: Sendable {
    private let reached = DispatchSemaphore(value: 0), released = DispatchSemaphore(value: 0)

    public init() {}

    /// Called inside the transaction: blocks its thread until ``release()``.
    public func pauseHere() {
        reached.signal()
        released.wait()
    }

    /// Returns once the transaction reached ``pauseHere()``.
    public func waitUntilPaused() async { await Task.detached { self.reached.wait() }.value }

    /// Lets the paused transaction go on.
    public func release() { released.signal() }
}

/// Two batches meet the way batches that take rows in opposite orders deadlock: `first` runs
/// until its handler pauses (`pause`), `second` starts and runs until a session of `store`
/// (PostgreSQL) waits for a lock, then the first goes on. Returns both batches' results, first's
/// then second's; a deadlock PostgreSQL broke is thrown.
public func interleave<Store>(
    first: [InboundMessage], second: [InboundMessage], on participant: SagaParticipant<Store>, pause: TransactionPause,
    store: ServiceStore
) async throws -> [ParticipantResult] {
    guard let application = store.postgres?.configuration.applicationName else { throw ServiceDatabaseKind.TestDatabaseMissing() }
    async let firstResults = participant.process(batch: first)
    await pause.waitUntilPaused()
    async let secondResults = participant.process(batch: second)
    try await eventually("the second batch waits for a lock", within: 10) {
        try await store.read("locks") { db in
            try db.row("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'",
                [application], source: "pg_stat_activity")?.integer("n") ?? 0
        } >= 1
    }
    pause.release()
    return try await firstResults + secondResults
}
