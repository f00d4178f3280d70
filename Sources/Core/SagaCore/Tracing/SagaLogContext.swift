import Logging

/// The ids of the message being processed — `saga_id`, `message_id`, `trace_id` (those
/// present) — as task-local log metadata while the engine processes it, so that every line
/// logged meanwhile (by the engine or by a service's handler, with any logger) carries them
/// once the logging system is bootstrapped with ``metadataProvider``.
public enum SagaLogContext {
    /// The current message's ids; empty outside message processing.
    @TaskLocal public static var metadata: Logger.Metadata = [:]

    /// A metadata provider reading ``metadata`` (pass it to `LoggingSystem.bootstrap`).
    public static let metadataProvider = Logger.MetadataProvider { metadata }

    /// The ids of `message` as log metadata.
    public static func metadata(of message: InboundMessage) -> Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        if let id = message.headers.string(SagaHeaders.messageID) { metadata["message_id"] = "\(id)" }
        if let id = message.headers.string(SagaHeaders.sagaID) { metadata["saga_id"] = "\(id)" }
        if let trace = TraceContext(headers: message.headers) { metadata["trace_id"] = "\(trace.traceID)" }
        return metadata
    }
}
