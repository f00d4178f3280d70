import Foundation
import Logging
import SagaCore
import SagaSQLite
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

    @Test("""
        with an endpoint, a span of the bootstrapped tracer is exported over OTLP/HTTP with the service name, \
        and a participant's span joins the W3C trace of the command it processed
        """)
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
        // A command carrying a traceparent, processed by a participant with the default (bootstrapped) tracer.
        let store = try SQLiteSagaStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("otel-\(UUID().uuidString).sqlite").path)
        let participant = SagaParticipant(store: store, consumerName: "otel-probe") { _, _ in .succeeded(nil) }
        let (traceID, parentID) = ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")
        let command = InboundMessage(
            topic: "probe.commands", partition: 0, offset: 7, timestampMilliseconds: nil, key: Array("k".utf8), value: [],
            headers: [
                SagaHeader(SagaHeaders.messageID, "probe-command-1"), SagaHeader(SagaHeaders.messageType, "Probe"),
                SagaHeader(SagaHeaders.sagaID, "probe-saga"), SagaHeader(SagaHeaders.replyTo, "probe.replies"),
                SagaHeader(SagaHeaders.traceparent, "00-\(traceID)-\(parentID)-01"),
            ])
        #expect(try await participant.process(command) == .replied(.succeeded))
        do {
            try await eventually("an OTLP export", within: 30) {
                collector.requests.contains { request in
                    request.requestLine.hasPrefix("POST /v1/traces") && contains(request.body, "saga.step exportProbe")
                        && contains(request.body, "saga-export-test") && contains(request.body, "probe-1")
                }
            }
            // OTLP/protobuf carries ids as raw bytes: the participant's span has the command's trace id
            // and the command's span id as its parent.
            try await eventually("the participant's span in an OTLP export", within: 30) {
                collector.requests.contains { request in
                    contains(request.body, "process probe.commands") && contains(request.body, "probe-saga")
                        && request.body.firstRange(of: bytes(hex: traceID)) != nil && request.body.firstRange(of: bytes(hex: parentID)) != nil
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

    private func bytes(hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
    }

    private func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        bytes.firstRange(of: Array(text.utf8)) != nil
    }
}
