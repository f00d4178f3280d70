#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Avro
import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line:
///
/// ```json
/// {"time":"2026-11-21T07:45:12.345Z","level":"info","label":"saga.orchestrator","message":"…","source":"SagaEngine","saga_id":"…","message_id":"…","trace_id":"…"}
/// ```
///
/// `time` (UTC, milliseconds), `level`, `label`, `message` and `source` come first; then the
/// metadata (handler metadata, then the provider's, then the call's, later ones winning),
/// flattened: a nested dictionary's keys become `parent.child`, arrays stay JSON arrays of
/// strings. A metadata key that would overwrite one of the fixed keys is written as
/// `metadata.<key>`. An error attached to the event goes under `error`.
public struct JSONLogHandler: LogHandler {
    /// Where the lines go.
    public typealias Sink = @Sendable (String) -> Void

    /// The logger's label.
    public let label: String
    /// The handler's own metadata.
    public var metadata: Logger.Metadata = [:]
    /// The minimum level.
    public var logLevel: Logger.Level
    /// Adds contextual metadata (e.g. from task locals) to every line.
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: Sink

    /// Creates a handler writing to `sink` (standard output by default).
    public init(
        label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        sink: @escaping Sink = JSONLogHandler.standardOutput
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    /// Reads or writes one metadata value of the handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one JSON line.
    public func log(event: LogEvent) {
        sink(line(for: event, at: Date()))
    }

    static let fixedKeys: Set<String> = ["time", "level", "label", "message", "source", "error"]

    /// The JSON line (without the newline) of `event` logged at `time`.
    func line(for event: LogEvent, at time: Date) -> String {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        var fields: [(String, Logger.MetadataValue)] = []
        for (key, value) in merged { Self.flatten(key, value, into: &fields) }
        fields.sort { $0.0 < $1.0 }
        var out = "{"
        Self.append("time", .string(Self.timestamp(time)), to: &out, first: true)
        Self.append("level", .string(event.level.rawValue), to: &out)
        Self.append("label", .string(label), to: &out)
        Self.append("message", .string(event.message.description), to: &out)
        Self.append("source", .string(event.source), to: &out)
        if let error = event.error { Self.append("error", .string(String(describing: error)), to: &out) }
        for (key, value) in fields {
            Self.append(Self.fixedKeys.contains(key) ? "metadata.\(key)" : key, value, to: &out)
        }
        out += "}"
        return out
    }

    private static func flatten(_ key: String, _ value: Logger.MetadataValue, into fields: inout [(String, Logger.MetadataValue)]) {
        if case .dictionary(let nested) = value, !nested.isEmpty {
            for (child, value) in nested { flatten("\(key).\(child)", value, into: &fields) }
        } else {
            fields.append((key, value))
        }
    }

    private static func append(_ key: String, _ value: Logger.MetadataValue, to out: inout String, first: Bool = false) {
        if !first { out += "," }
        appendString(key, to: &out)
        out += ":"
        appendValue(value, to: &out)
    }

    private static func appendValue(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let text): appendString(text, to: &out)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendValue(element, to: &out)
            }
            out += "]"
        case .dictionary(let nested):
            out += "{"
            for (index, key) in nested.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                if let element = nested[key] { appendValue(element, to: &out) }
            }
            out += "}"
        }
    }

    /// Appends `text` as a JSON string literal (RFC 8259 escaping).
    static func appendString(_ text: String, to out: inout String) {
        JSONValue.string(text).serialize(into: &out)
    }

    /// `2026-11-21T07:45:12.345Z`.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let millis = min(999, Int(((seconds - Double(whole)) * 1000).rounded(.down)))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// Writes each line to standard output, whole (lines of concurrent loggers never interleave).
    public static let standardOutput: Sink = { line in
        outputLock.withLock { _ in
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = write(STDOUT_FILENO, base + offset, buffer.count - offset)
                    if written <= 0 {
                        if written < 0 && errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// Serialises writes to standard output.
    private static let outputLock = Mutex(())
}
