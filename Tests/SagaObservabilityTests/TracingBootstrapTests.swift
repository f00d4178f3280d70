import Foundation
import Logging
import SagaObservability
import SagaTestSupport
import ServiceLifecycle
import Testing
import Tracing

@Suite("OTLP trace export", .serialized)
struct TracingBootstrapTests {
    @Test("without an endpoint nothing is bootstrapped")
    func noEndpoint() throws {
        #expect(try TracingBootstrap.bootstrap(environment: [:], defaultServiceName: "saga-test") == nil)
        #expect(try TracingBootstrap.bootstrap(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": ""], defaultServiceName: "saga-test") == nil)
        #expect(TracingBootstrap.configuration(environment: [:], defaultServiceName: "saga-x").serviceName == "saga-x")
        #expect(TracingBootstrap.configuration(environment: ["OTEL_SERVICE_NAME": "orders"], defaultServiceName: "saga-x").serviceName == "orders")
    }

    @Test("with an endpoint, a span of the bootstrapped tracer is exported over OTLP/HTTP with the service name")
    func export() async throws {
        let collector = try CapturingHTTPServer()
        defer { collector.stop() }
        let service = try #require(try TracingBootstrap.bootstrap(
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collector.port)", "OTEL_BSP_SCHEDULE_DELAY": "100",
                "OTEL_SERVICE_NAME": "saga-export-test",
            ],
            defaultServiceName: "saga-unused"
        ))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test.otel"))
        let running = Task { try await group.run() }
        let span = InstrumentationSystem.tracer.startSpan("saga.step exportProbe")
        span.attributes["saga.id"] = "probe-1"
        span.end()
        do {
            try await eventually("an OTLP export", within: 30) {
                collector.requests.contains { request in
                    request.requestLine.hasPrefix("POST /v1/traces") && contains(request.body, "saga.step exportProbe")
                        && contains(request.body, "saga-export-test") && contains(request.body, "probe-1")
                }
            }
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    private func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        bytes.firstRange(of: Array(text.utf8)) != nil
    }
}
