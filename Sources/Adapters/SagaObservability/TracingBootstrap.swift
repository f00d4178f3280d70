import Logging
import OTel
import ServiceLifecycle

/// Sets up span export over OTLP (HTTP/protobuf, swift-otel) when an endpoint is configured.
///
/// ```swift
/// if let exporter = try TracingBootstrap.bootstrap(environment: ProcessInfo.processInfo.environment, defaultServiceName: "saga-orchestrator") {
///     services.append(exporter)   // run it in the process's ServiceGroup; it flushes spans on shutdown
/// }
/// ```
///
/// Without `OTEL_EXPORTER_OTLP_ENDPOINT` nothing is bootstrapped and `InstrumentationSystem.tracer`
/// stays the no-op tracer, so the engine's spans cost next to nothing. The other `OTEL_*`
/// variables of the OpenTelemetry specification (headers, timeout, sampler, resource
/// attributes, …) are read by swift-otel. Metrics stay with Prometheus and logs with swift-log:
/// only traces are exported.
public enum TracingBootstrap {
    /// The variable naming the OTLP endpoint (e.g. `http://otel-collector:4318`).
    public static let endpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT"
    /// The variable naming the service on spans.
    public static let serviceNameVariable = "OTEL_SERVICE_NAME"

    /// Bootstraps `InstrumentationSystem` with an OTLP-exporting tracer and returns the service
    /// that exports its spans, or `nil` (bootstrapping nothing) when `environment` has no endpoint.
    /// Call once per process.
    /// - Throws: swift-otel's configuration error for an invalid setting.
    public static func bootstrap(environment: [String: String], defaultServiceName: String) throws -> (any Service)? {
        guard let endpoint = environment[endpointVariable], !endpoint.isEmpty else { return nil }
        return try OTel.bootstrap(configuration: configuration(environment: environment, defaultServiceName: defaultServiceName),
                                  environment: environment)
    }

    /// The swift-otel configuration used: traces only, over HTTP/protobuf, named after
    /// `OTEL_SERVICE_NAME` or `defaultServiceName`.
    public static func configuration(environment: [String: String], defaultServiceName: String) -> OTel.Configuration {
        var configuration = OTel.Configuration.default
        configuration.serviceName = environment[serviceNameVariable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultServiceName
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        return configuration
    }
}
