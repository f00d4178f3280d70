/// How much an ``OutboxRelay`` sends at once: rows per batch, and batches awaiting their
/// delivery reports together.
///
/// More batches in flight shorten the wait of rows committed while earlier batches are out (the
/// latency of a hop under light load), at the cost of more and smaller produce requests; larger
/// batches move a backlog in fewer passes. On this project's benchmark broker the defaults were
/// the best trade (`docs/crash-test-and-benchmark.md`): four batches in flight lowered the latency
/// at 10 sagas in flight by a few percent and cost 10–15 % of the throughput at 200.
public struct OutboxRelayLimits: Sendable, Hashable {
    /// Rows per batch (the most the relay claims or reads per pass).
    public var batchSize: Int
    /// Batches awaiting their delivery reports at once.
    public var batchesInFlight: Int

    /// 500 rows per batch, two batches in flight.
    public static let `default` = OutboxRelayLimits(batchSize: 500, batchesInFlight: 2)

    /// Limits of `batchSize` rows per batch and `batchesInFlight` batches in flight (each at least 1).
    public init(batchSize: Int, batchesInFlight: Int) {
        self.batchSize = max(1, batchSize)
        self.batchesInFlight = max(1, batchesInFlight)
    }
}
