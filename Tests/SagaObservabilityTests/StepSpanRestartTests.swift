import Foundation
import InMemoryTracing
import Prometheus
import SagaCore
import SagaSQLite
import SagaAvro
import SagaObservability
import SagaTestSupport
import Testing
import Tracing

@Suite("Step spans and latency across an orchestrator restart")
struct StepSpanRestartTests {
    @Test("a reply applied by a restarted orchestrator yields a span and a latency from the stored send time")
    func restart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { do { try FileManager.default.removeItem(at: directory) } catch { Issue.record("cleanup: \(error)") } }
        let path = directory.appendingPathComponent("orchestrator.sqlite").path
        let sent = Date(timeIntervalSince1970: 1_800_000_000)
        let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

        // Before the restart: the saga starts and its first command is written at `sent`.
        let before = SagaOrchestrator(
            registry: try SagaRegistry(definitions: [Fixtures.orderSaga()]), store: try SQLiteSagaStore(path: path),
            lifecycleEncoder: JSONLifecycleEncoder(), tracer: InMemoryTracer(),
            environment: { TransitionEnvironment(now: sent, random: 0) }
        )
        let trace = try #require(TraceContext(traceparent: traceparent))
        #expect(try await before.start(sagaType: "order", sagaID: "r-1", data: OrderData(orderID: "r-1", amount: 5).encodePayload(), trace: trace) == .started)
        let stored = try #require(try await before.store.load(sagaID: "r-1"))
        #expect(stored.requestSentAt == sent)
        #expect(stored.traceParent == traceparent)
        let outbox = try await before.store.pendingOutbox(limit: 10)
        #expect(outbox.count >= 1 && outbox.allSatisfy { $0.message.headers.string("traceparent") == traceparent })

        // After the restart: a new orchestrator over the same file applies the reply 2.5 s later.
        let registry = PrometheusCollectorRegistry()
        let tracer = InMemoryTracer()
        let after = SagaOrchestrator(
            registry: try SagaRegistry(definitions: [Fixtures.orderSaga()]), store: try SQLiteSagaStore(path: path),
            lifecycleEncoder: JSONLifecycleEncoder(), metrics: SagaMetrics(factory: MetricsBootstrap.makeFactory(registry: registry)),
            tracer: tracer, environment: { TransitionEnvironment(now: sent.addingTimeInterval(2.5), random: 0) }
        )
        let reply = StepReply(
            messageID: "reply-1", causationID: try #require(stored.pendingRequestID), sagaID: "r-1", status: .succeeded,
            messageType: TestReservation.messageType, payload: try TestReservation(reservationID: "res-1").encodePayload()
        )
        #expect(try await after.handle(reply: reply, inbox: nil) == .applied(.running))
        let spans = tracer.finishedSpans
        #expect(spans.count == 1)
        let span = try #require(spans.first)
        #expect(span.operationName == "saga.step reserveStock")
        #expect(span.startInstant.nanosecondsSinceEpoch == UInt64(sent.timeIntervalSince1970 * 1e9))
        #expect(span.endInstant.nanosecondsSinceEpoch == UInt64(sent.addingTimeInterval(2.5).timeIntervalSince1970 * 1e9))
        let text = registry.emitToString()
        #expect(text.contains("saga_step_duration_seconds_sum{saga_type=\"order\",step=\"reserveStock\",outcome=\"success\"} 2.5"))
        #expect(text.contains("saga_step_duration_seconds_count{saga_type=\"order\",step=\"reserveStock\",outcome=\"success\"} 1"))
        // The redelivered reply (same inbox entry) changes nothing and counts nothing.
        let inbox = InboxEntry(consumer: "saga-orchestrator", messageID: "reply-2", topic: "order.replies", partition: 0, offset: 1)
        let second = StepReply(
            messageID: "reply-2", causationID: try #require(try await after.store.load(sagaID: "r-1")?.pendingRequestID),
            sagaID: "r-1", status: .succeeded
        )
        #expect(try await after.handle(reply: second, inbox: inbox) == .applied(.running))
        #expect(try await after.handle(reply: second, inbox: inbox) == .duplicateMessage)
        #expect(tracer.finishedSpans.count == 2)
        #expect(registry.emitToString().contains("saga_step_duration_seconds_count{saga_type=\"order\",step=\"authorizeCard\",outcome=\"success\"} 1"))
    }
}
