import Foundation
import InMemoryTracing
import SagaCore
import SagaTestSupport
import Testing
import Tracing

@Suite("W3C trace context")
struct TraceContextTests {
    @Test("valid traceparent values parse; invalid ones do not")
    func parsing() throws {
        let context = try #require(TraceContext(traceparent: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", tracestate: "a=1"))
        #expect(context.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.parentID == "00f067aa0ba902b7")
        #expect(context.sampled)
        #expect(context.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(context.headers.map(\.key) == ["traceparent", "tracestate"])
        for invalid in [
            "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "FF-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-４bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        ] {
            #expect(TraceContext(traceparent: invalid) == nil, "\(invalid)")
        }
        // A later version may carry more fields; the first four are read.
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-x")?.sampled == false)
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-x")?.traceparent
            == "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03")
    }

    @Test("random contexts are valid and distinct")
    func random() {
        let a = TraceContext.random()
        let b = TraceContext.random()
        #expect(TraceContext(traceparent: a.traceparent) == a)
        #expect(a.traceID != b.traceID)
    }
}

@Suite("Trace context through the broker", .serialized)
struct TracePropagationTests {
    @Test("the start event's traceparent is on every command, reply and lifecycle event; one span per step attempt and per processed command")
    func propagation() async throws {
        let world = try await ObservedWorld()
        do {
            let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            try await world.placeOrder("t-ok", traceparent: traceparent)
            try await world.placeOrder("t-fail", orderID: "fail-charge")
            #expect(try await world.waitForEnd("t-ok").status == .completed)
            #expect(try await world.waitForEnd("t-fail").status == .compensated)
            @Sendable func ofSaga(_ id: String) -> @Sendable ([InboundMessage]) -> [InboundMessage] {
                { $0.filter { $0.headers.string(SagaHeaders.sagaID) == id } }
            }
            // ok saga: 4 commands, 4 replies, started + 4 stepCompleted + completed lifecycle events.
            var commands: [InboundMessage] = []
            for topic in world.commandTopics {
                commands += try await world.consume(topic) { ofSaga("t-ok")($0).count >= (topic.hasSuffix("payments.commands") ? 2 : 1) }
            }
            let replies = try await world.consume(world.replies) { ofSaga("t-ok")($0).count >= 4 }
            let events = try await world.consume(world.eventsTopic) { ofSaga("t-ok")($0).count >= 6 }
            let okMessages = ofSaga("t-ok")(commands) + ofSaga("t-ok")(replies) + ofSaga("t-ok")(events)
            #expect(okMessages.count == 14)
            for message in okMessages {
                #expect(message.headers.string(SagaHeaders.traceparent) == traceparent, "\(message.coordinates)")
            }
            // A saga started without one gets a fresh trace, the same on all its messages.
            let failMessages = ofSaga("t-fail")(commands + replies + events)
            let traces = Set(failMessages.map { (message: InboundMessage) -> String? in TraceContext(headers: message.headers)?.traceID })
            #expect(!failMessages.isEmpty)
            #expect(traces.count == 1 && !traces.contains(Optional<String>.none))
            // One span per step attempt, made from the stored send time.
            let allSpans = world.tracer.finishedSpans.filter { $0.string("saga.id") == "t-ok" }
            let spans = allSpans.filter { $0.kind == .internal }
            let expectedNames: [String] = Fixtures.stepNames.map { name in "saga.step " + name }
            #expect(spans.map(\.operationName).sorted() == expectedNames.sorted())
            for span in spans {
                #expect(span.attributes["saga.attempt"]?.toSpanAttribute() == 1.toSpanAttribute())
                #expect(span.attributes["saga.outcome"]?.toSpanAttribute() == "succeeded".toSpanAttribute())
                #expect(span.endInstant.nanosecondsSinceEpoch >= span.startInstant.nanosecondsSinceEpoch)
            }
            // One span per command the participant processed, named for its topic, with the command's saga and step.
            let processed = allSpans.filter { $0.kind == .consumer }
            #expect(processed.count == 4, "\(processed.map(\.operationName))")
            #expect(Set(processed.compactMap { $0.string("saga.step") }) == Set(Fixtures.stepNames))
            for span in processed {
                let command = commands.first { $0.headers.string(SagaHeaders.messageID) == span.string("messaging.message.id") }
                let topic = try #require(command?.topic, "\(span.attributes)")
                #expect(span.operationName == "process \(topic)")
                #expect(span.string("messaging.destination.name") == topic)
                #expect(span.string("saga.participant") == "test-participants")
                #expect(span.string("saga.result") == "success")
                #expect(span.status == nil)
            }
            let failed = world.tracer.finishedSpans.filter { $0.string("saga.id") == "t-fail" }
            let failedSteps = failed.filter { $0.kind == .internal }
            #expect(failedSteps.count == 5)  // reserve, authorize, charge (failed), void, release
            #expect(failedSteps.filter { $0.status?.code == .error }.map(\.operationName) == ["saga.step chargeCard"])
            // The declined charge is a business result of its command, not an error of the participant.
            let failedProcessing = failed.filter { $0.kind == .consumer }
            #expect(failedProcessing.count == 5, "\(failedProcessing.map(\.operationName))")
            #expect(failedProcessing.filter { $0.string("saga.result") == "failure" }.compactMap { $0.string("saga.step") } == ["chargeCard"])
            #expect(failedProcessing.allSatisfy { $0.status == nil })
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }
}

extension FinishedInMemorySpan {
    /// The string value of attribute `key`, if it is a string.
    func string(_ key: String) -> String? {
        guard case .string(let value)? = attributes[key]?.toSpanAttribute() else { return nil }
        return value
    }
}
