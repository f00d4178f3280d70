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
        // Read as ASCII bytes (it runs for every message): `vv-<32 hex>-<16 hex>-ff`, and for a
        // later version anything after a fourth dash.
        var text = Array(traceparent.utf8)
        let dash = UInt8(ascii: "-")
        guard text.count >= 55, text[2] == dash, text[35] == dash, text[52] == dash, text.count == 55 || text[55] == dash else {
            return nil
        }
        text.removeSubrange(55...)
        for index in text.indices where index != 2 && index != 35 && index != 52 {
            switch text[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): break
            case UInt8(ascii: "A")...UInt8(ascii: "F"): text[index] += 0x20
            default: return nil
            }
        }
        let zero = UInt8(ascii: "0")
        guard !(text[0] == UInt8(ascii: "f") && text[1] == UInt8(ascii: "f")),
            !(text[0] == zero && text[1] == zero) || traceparent.utf8.count == 55,
            text[3..<35].contains(where: { $0 != zero }), text[36..<52].contains(where: { $0 != zero })
        else { return nil }
        func nibble(_ byte: UInt8) -> UInt8 { byte <= UInt8(ascii: "9") ? byte - zero : byte - UInt8(ascii: "a") + 10 }
        self.traceparent = String(decoding: text, as: UTF8.self)
        self.tracestate = tracestate.flatMap { $0.isEmpty ? nil : $0 }
        traceID = String(decoding: text[3..<35], as: UTF8.self)
        parentID = String(decoding: text[36..<52], as: UTF8.self)
        sampled = nibble(text[54]) & 1 == 1
    }

    /// A new trace (random ids, sampled), for a saga whose start event carried none.
    public static func random() -> TraceContext {
        var generator = SystemRandomNumberGenerator()
        func hex(_ count: Int) -> String {
            let digits: StaticString = "0123456789abcdef"
            return String(unsafeUninitializedCapacity: count * 2) { text in
                for index in 0..<count {
                    let byte = UInt8.random(in: 0...255, using: &generator)
                    text[2 * index] = digits.utf8Start[Int(byte >> 4)]
                    text[2 * index + 1] = digits.utf8Start[Int(byte & 0x0f)]
                }
                return count * 2
            }
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
