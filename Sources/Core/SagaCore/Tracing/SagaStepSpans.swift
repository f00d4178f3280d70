import Foundation
import Tracing

/// Records one span per saga step attempt: from the moment its command was sent to the moment
/// its reply (or timeout) was applied, as a child of the saga's trace context.
///
/// The span is made when the attempt ends, from the send time kept in the saga's state
/// (``SagaState/requestSentAt``), so it survives an orchestrator restart between command and
/// reply: nothing lives in memory while the request is out. Its attributes: `saga.id`,
/// `saga.type`, `saga.step`, `saga.phase`, `saga.attempt`, `saga.outcome`.
public struct SagaStepSpans: Sendable {
    /// The tracer; `nil` uses `InstrumentationSystem.tracer` (a no-op until bootstrapped).
    public let tracer: (any Tracer)?

    /// Creates a recorder.
    public init(tracer: (any Tracer)? = nil) {
        self.tracer = tracer
    }

    /// Records the spans of the step attempts that `transition` ended.
    func record(_ transition: SagaTransition, requestSentAt: Date?) {
        guard let requestSentAt else { return }
        let ended = transition.lifecycle.filter { ($0.kind == .stepCompleted || $0.kind == .stepFailed) && $0.outcome != nil }
        guard !ended.isEmpty else { return }
        let tracer = self.tracer ?? InstrumentationSystem.tracer
        var context = ServiceContext.topLevel
        if let parent = transition.state.traceParent {
            var carrier = [SagaHeaders.traceparent: parent]
            carrier[SagaHeaders.tracestate] = transition.state.traceState
            tracer.extract(carrier, into: &context, using: DictionaryExtractor())
        }
        for event in ended {
            record(event, sentAt: requestSentAt, context: context, tracer: tracer)
        }
    }

    private func record(_ event: SagaLifecycleEvent, sentAt: Date, context: ServiceContext, tracer: any Tracer) {
        let span = tracer.startSpan(
            "saga.step \(event.step ?? "?")", context: context, ofKind: .internal, at: Self.instant(sentAt)
        )
        span.attributes["saga.id"] = event.sagaID
        span.attributes["saga.type"] = event.sagaType
        if let step = event.step { span.attributes["saga.step"] = step }
        span.attributes["saga.phase"] = event.phase.rawValue
        if let attempt = event.attempt { span.attributes["saga.attempt"] = attempt }
        if let outcome = event.outcome {
            span.attributes["saga.outcome"] = outcome.rawValue
            if outcome != .succeeded && outcome != .manuallyResolved {
                span.setStatus(SpanStatus(code: .error, message: event.reason ?? outcome.rawValue))
            }
        }
        span.end(at: Self.instant(max(event.at, sentAt)))
    }

    private static func instant(_ date: Date) -> DefaultTracerClock.Timestamp {
        DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: UInt64(max(0, date.timeIntervalSince1970) * 1e9))
    }
}

/// Reads trace headers from a dictionary.
struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
