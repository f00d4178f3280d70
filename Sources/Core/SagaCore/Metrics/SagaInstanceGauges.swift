import Logging
import Metrics

/// The sagas a store holds, by type and status, as the gauge `saga_instances{saga_type, status}`:
/// in flight is `running` + `compensating`, parked is `failed`. Every status of a type the store
/// has seen is recorded (0 included), so a parked count that drops to nothing reads 0, not stale.
///
/// Counted from the store, not from the process's own transitions, so every replica of an
/// orchestrator on one database reports the same figures (sum nothing: take `max` over replicas).
///
/// ```swift
/// let gauges = SagaInstanceGauges(store: store, sagaTypes: registry.all.map(\.name), metrics: SagaMetrics(), logger: logger)
/// await gauges.report(every: .seconds(15))   // until the task is cancelled
/// ```
public struct SagaInstanceGauges: Sendable {
    /// Where the counts come from.
    public let store: any SagaReportStore
    /// The types recorded (at 0 for each status) before the store holds any saga of them.
    public let sagaTypes: Set<String>
    /// Where the gauge goes.
    public let metrics: SagaMetrics
    private let logger: Logger

    /// Creates the gauges of `store`'s sagas; `sagaTypes` (the registered ones) read 0 until
    /// their first saga, so that a dashboard shows them from the start.
    public init(store: any SagaReportStore, sagaTypes: some Sequence<String> = [], metrics: SagaMetrics, logger: Logger) {
        self.store = store
        self.sagaTypes = Set(sagaTypes)
        self.metrics = metrics
        self.logger = logger
    }

    /// Records the counts now: every status of ``sagaTypes``, of `known` and of the types the
    /// store holds. Returns the types recorded (pass them as `known` next time, so that a type
    /// whose sagas are all purged reads 0 rather than its last figures).
    ///
    /// - Throws: the store's ``SagaStoreError`` when it cannot count (nothing is recorded).
    @discardableResult
    public func record(known: Set<String> = []) async throws(SagaStoreError) -> Set<String> {
        var counts: [String: [SagaStatus: Int]] = [:]
        for type in sagaTypes.union(known) { counts[type] = [:] }
        for row in try await store.counts() { counts[row.type, default: [:]][row.status, default: 0] += row.count }
        for (type, byStatus) in counts {
            for status in SagaStatus.allCases {
                Gauge(label: SagaMetrics.Name.instances, dimensions: [("saga_type", type), ("status", status.rawValue)], factory: metrics.factory)
                    .record(byStatus[status] ?? 0)
            }
        }
        return Set(counts.keys)
    }

    /// Records the counts every `interval` until the task is cancelled. A count that fails is
    /// logged (with the store's error) and tried again at the next interval; the gauge keeps its
    /// last figures meanwhile.
    public func report(every interval: Duration = .seconds(15)) async {
        var known: Set<String> = []
        while !Task.isCancelled {
            do {
                known = try await record(known: known)
            } catch {
                logger.warning("could not count the sagas for \(SagaMetrics.Name.instances)", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
