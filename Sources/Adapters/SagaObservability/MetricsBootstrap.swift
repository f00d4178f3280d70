import Metrics
import Prometheus

/// Sets up swift-metrics for a server process: every metric goes to a Prometheus registry,
/// whose text the `/metrics` route serves.
///
/// ```swift
/// let registry = MetricsBootstrap.bootstrap()
/// // GET /metrics → registry.emitToString() (content type `text/plain; version=0.0.4`)
/// ```
public enum MetricsBootstrap {
    /// The content type of ``PrometheusCollectorRegistry/emitToString()``'s output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A Prometheus factory over `registry` with buckets fit for saga step latencies (1 ms … 60 s).
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        return factory
    }

    /// Bootstraps `MetricsSystem` with a Prometheus factory over `registry` and returns the
    /// registry. Call once per process, before making any metric (swift-metrics allows one bootstrap).
    @discardableResult
    public static func bootstrap(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) -> PrometheusCollectorRegistry {
        MetricsSystem.bootstrap(makeFactory(registry: registry))
        return registry
    }
}
