import HTTPTypes
import Hummingbird
import SagaCore

/// The W3C trace context a start request runs under: the caller's `traceparent` (and
/// `tracestate`) when valid, else a new trace. It goes on the saga's start event, so every
/// command, reply, lifecycle event and dead letter of the saga carries it, and back to the
/// caller in the response's `traceparent` header.
enum RequestTrace {
    /// The request's trace context, or a new one.
    static func context(of request: Request) -> TraceContext {
        guard let parentName = HTTPField.Name(SagaHeaders.traceparent),
            let parent = request.headers[parentName]
        else { return .random() }
        let state = HTTPField.Name(SagaHeaders.tracestate).flatMap { request.headers[$0] }
        return TraceContext(traceparent: parent, tracestate: state) ?? .random()
    }
}
