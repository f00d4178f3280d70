import Foundation
import Tracing

/// Records one span per command a participant processes (each delivery, so a retried command
/// has one span per attempt), as a child of the trace context in the command's headers: the
/// saga's trace then shows, beside the orchestrator's step spans, where each service spent its
/// time.
///
/// The span is named `process <topic>` with kind `consumer` (the OpenTelemetry messaging
/// convention). Its attributes: `messaging.system`, `messaging.destination.name`,
/// `messaging.kafka.destination.partition`, `messaging.kafka.message.offset`,
/// `messaging.message.id`, `saga.participant`, and once the envelope is read `saga.id`,
/// `saga.type`, `saga.step`, `saga.attempt`, `saga.command`; when it ends, `saga.result`
/// (`success`, `failure`, `retriable`, `duplicate`, `repeated`). A business failure reply (a declined card) is a
/// result, not an error; a handler or store error, or a message without the engine's envelope,
/// sets the span's status to error.
struct ParticipantSpans: Sendable {
    /// The tracer; `nil` uses `InstrumentationSystem.tracer` (a no-op until bootstrapped).
    let tracer: (any Tracer)?

    /// Starts the span of processing `message` for `participant`.
    func start(_ message: InboundMessage, participant: String) -> any Span {
        let tracer = self.tracer ?? InstrumentationSystem.tracer
        var context = ServiceContext.topLevel
        if let trace = TraceContext(headers: message.headers) {
            var carrier = [SagaHeaders.traceparent: trace.traceparent]
            carrier[SagaHeaders.tracestate] = trace.tracestate
            tracer.extract(carrier, into: &context, using: DictionaryExtractor())
        }
        let span = tracer.startSpan("process \(message.topic)", context: context, ofKind: .consumer)
        span.attributes["messaging.system"] = "kafka"
        span.attributes["messaging.destination.name"] = message.topic
        span.attributes["messaging.kafka.destination.partition"] = Int(message.partition)
        span.attributes["messaging.kafka.message.offset"] = Int(message.offset)
        if let messageID = message.headers.string(SagaHeaders.messageID) {
            span.attributes["messaging.message.id"] = messageID
        }
        span.attributes["saga.participant"] = participant
        return span
    }

    /// Adds what the command's envelope says.
    func describe(_ span: any Span, _ command: ParticipantCommand) {
        span.attributes["saga.id"] = command.sagaID
        if let type = command.sagaType { span.attributes["saga.type"] = type }
        if let step = command.step { span.attributes["saga.step"] = step }
        if let attempt = command.attempt { span.attributes["saga.attempt"] = attempt }
        span.attributes["saga.command"] = command.messageType
    }

    /// Ends the span of a command that was processed.
    func end(_ span: any Span, _ result: ParticipantResult) {
        span.attributes["saga.result"] = switch result {
        case .replied(.succeeded): "success"
        case .replied(.businessFailure): "failure"
        case .replied(.retriableFailure): "retriable"
        case .duplicate: "duplicate"
        case .repeated: "repeated"
        }
        span.end()
    }

    /// Ends the span of a command that could not be processed.
    func end(_ span: any Span, _ error: ParticipantError) {
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error, message: error.description))
        span.end()
    }
}
