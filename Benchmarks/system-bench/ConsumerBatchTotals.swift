import Metrics
import SagaCore
import Synchronization

/// Each consuming service's batches in a run, from the engine's own metrics
/// (`saga_consumer_batch_seconds`, `saga_consumer_batch_messages`): the metrics backend the
/// benchmark bootstraps, which adds those two up per service and drops every other metric.
/// (MetricsTestKit's `TestMetrics` keeps every sample of every metric, work the measured process
/// would then do per message.)
final class ConsumerBatchTotals: MetricsFactory, Sendable {
    /// One service's batches so far.
    struct Totals: Sendable, Equatable {
        var seconds = 0.0
        var batches = 0
        var messages = 0

        static func - (after: Totals, before: Totals) -> Totals {
            Totals(seconds: after.seconds - before.seconds, batches: after.batches - before.batches,
                messages: after.messages - before.messages)
        }
    }

    private let totals = Mutex<[String: Totals]>([:])

    /// Every service's totals so far; subtract two snapshots for a run's.
    func snapshot() -> [String: Totals] { totals.withLock { $0 } }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard label == SagaMetrics.Name.consumerBatchDuration, let service = Self.service(dimensions) else {
            return NOOPMetricsHandler.instance
        }
        return Handler(totals: self, service: service)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard label == SagaMetrics.Name.consumerBatchMessages, let service = Self.service(dimensions) else {
            return NOOPMetricsHandler.instance
        }
        return Handler(totals: self, service: service)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { NOOPMetricsHandler.instance }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        NOOPMetricsHandler.instance
    }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private static func service(_ dimensions: [(String, String)]) -> String? { dimensions.first { $0.0 == "service" }?.1 }

    fileprivate func add(_ service: String, _ change: (inout Totals) -> Void) {
        totals.withLock { change(&$0[service, default: Totals()]) }
    }

    /// Adds a batch's time (the timer) or its size (the recorder) to its service's totals.
    private final class Handler: TimerHandler, RecorderHandler, Sendable {
        let totals: ConsumerBatchTotals
        let service: String

        init(totals: ConsumerBatchTotals, service: String) {
            self.totals = totals
            self.service = service
        }

        func recordNanoseconds(_ duration: Int64) {
            totals.add(service) { $0.seconds += Double(duration) / 1e9; $0.batches += 1 }
        }

        func record(_ value: Int64) { totals.add(service) { $0.messages += Int(value) } }
        func record(_ value: Double) { totals.add(service) { $0.messages += Int(value) } }
    }
}
