import Foundation

/// A W3C trace context (https://www.w3.org/TR/trace-context/) as carried in Kafka headers:
/// `traceparent` (`00-<trace id>-<parent id>-<flags>`) and optionally `tracestate`.
///
/// The orchestrator takes it from the event that starts a saga (or makes a fresh one), keeps
/// it with the saga and puts it on every command and lifecycle event; participants copy it
/// from each command onto their reply; dead-letter records keep the original's headers.
public struct TraceContext: Sendable, Hashable {
    /// The `traceparent` value.
    public let traceparent: String
    /// The `tracestate` value, if any.
    public var tracestate: String?
    /// The 32 lowercase hex digits of the trace id.
    public let traceID: String
    /// The 16 lowercase hex digits of the parent span id.
    public let parentID: String
    /// Whether the sampled flag is set.
    public let sampled: Bool

    /// Parses a `traceparent` value; `nil` unless it is a valid version-00 (or later, read as
    /// 00) value with non-zero ids.
    public init?(traceparent: String, tracestate: String? = nil) {
        let parts = traceparent.lowercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16,
            parts[3].count == 2, parts[0...3].allSatisfy({ $0.allSatisfy(\.isHexDigit) }),
            parts[0] != "00" || parts.count == 4,
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
            let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        self.traceparent = parts[0...3].joined(separator: "-")
        self.tracestate = tracestate.flatMap { $0.isEmpty ? nil : $0 }
        traceID = String(parts[1])
        parentID = String(parts[2])
        sampled = flags & 1 == 1
    }

    /// A new trace (random ids, sampled), for a saga whose start event carried none.
    public static func random() -> TraceContext {
        var generator = SystemRandomNumberGenerator()
        func hex(_ bytes: Int) -> String {
            var text = ""
            for _ in 0..<bytes {
                let byte = UInt8.random(in: 0...255, using: &generator)
                text += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
            }
            return text
        }
        var traceID = hex(16)
        if !traceID.contains(where: { $0 != "0" }) { traceID = "1" + traceID.dropFirst() }
        var spanID = hex(8)
        if !spanID.contains(where: { $0 != "0" }) { spanID = "1" + spanID.dropFirst() }
        return TraceContext(traceID: traceID, parentID: spanID, sampled: true)
    }

    /// A context of valid ids.
    private init(traceID: String, parentID: String, sampled: Bool) {
        traceparent = "00-\(traceID)-\(parentID)-\(sampled ? "01" : "00")"
        self.traceID = traceID
        self.parentID = parentID
        self.sampled = sampled
    }

    /// The trace context in `headers`, if a valid `traceparent` is there.
    public init?(headers: [SagaHeader]) {
        guard let parent = headers.string(SagaHeaders.traceparent) else { return nil }
        self.init(traceparent: parent, tracestate: headers.string(SagaHeaders.tracestate))
    }

    /// The headers carrying this context.
    public var headers: [SagaHeader] {
        var headers = [SagaHeader(SagaHeaders.traceparent, traceparent)]
        if let tracestate { headers.append(SagaHeader(SagaHeaders.tracestate, tracestate)) }
        return headers
    }

    /// `headers` without any trace headers, plus this context's.
    public func replacing(in headers: [SagaHeader]) -> [SagaHeader] {
        headers.filter { $0.key != SagaHeaders.traceparent && $0.key != SagaHeaders.tracestate } + self.headers
    }
}
