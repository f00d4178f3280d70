#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AvroValue {
    /// The logical value for a decoded underlying value (`.int(3)` → `.date(3)`), or nil
    /// when the underlying value is not valid for the logical type (e.g. a malformed uuid).
    static func wrapping(_ type: AvroLogicalType, _ base: AvroValue) -> AvroValue? {
        switch (type, base) {
        case (.decimal(let precision, let scale), .bytes(let b)), (.decimal(let precision, let scale), .fixed(let b)):
            let decimal = AvroDecimal(unscaledBytes: b, scale: scale)
            return decimal.fits(precision: precision) ? .decimal(decimal) : nil
        case (.uuid, .string(let s)): return AvroUUIDText.parse(s).map(AvroValue.uuid)
        case (.uuid, .fixed(let b)) where b.count == 16:
            return .uuid(UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])))
        case (.date, .int(let v)): return .date(v)
        case (.timeMillis, .int(let v)): return .timeMillis(v)
        case (.timeMicros, .long(let v)): return .timeMicros(v)
        case (.timestampMillis, .long(let v)): return .timestampMillis(v)
        case (.timestampMicros, .long(let v)): return .timestampMicros(v)
        case (.localTimestampMillis, .long(let v)): return .localTimestampMillis(v)
        case (.localTimestampMicros, .long(let v)): return .localTimestampMicros(v)
        case (.timestampNanos, .long(let v)): return .timestampNanos(v)
        case (.localTimestampNanos, .long(let v)): return .localTimestampNanos(v)
        default: return nil
        }
    }

    /// The underlying value of a logical value for `base` (`.date(3)` → `.int(3)`); plain
    /// underlying values pass through. Decimals must fit the schema exactly (see
    /// ``AvroLogicalCoding/decimalEncoding(_:precision:scale:fixedSize:)``): nothing is
    /// rounded or clamped. Throws when the value does not fit.
    static func unwrapping(_ value: AvroValue, _ type: AvroLogicalType, base: AvroSchema) throws(AvroEncodingError) -> AvroValue {
        switch (type, value) {
        case (.decimal(let precision, let scale), .decimal(let decimal)):
            if case .fixed(let f) = base {
                return .fixed(try AvroLogicalCoding.decimalEncoding(decimal, precision: precision, scale: scale, fixedSize: f.size))
            }
            return .bytes(try AvroLogicalCoding.decimalEncoding(decimal, precision: precision, scale: scale, fixedSize: nil))
        case (.uuid, .uuid(let uuid)):
            if case .fixed = base { return .fixed(withUnsafeBytes(of: uuid.uuid) { Array($0) }) }
            return .string(AvroUUIDText.format(uuid))
        case (.date, .date(let v)), (.timeMillis, .timeMillis(let v)): return .int(v)
        case (.timeMicros, .timeMicros(let v)), (.timestampMillis, .timestampMillis(let v)),
             (.timestampMicros, .timestampMicros(let v)), (.localTimestampMillis, .localTimestampMillis(let v)),
             (.localTimestampMicros, .localTimestampMicros(let v)), (.timestampNanos, .timestampNanos(let v)),
             (.localTimestampNanos, .localTimestampNanos(let v)):
            return .long(v)
        case (_, .decimal), (_, .uuid), (_, .date), (_, .timeMillis), (_, .timeMicros), (_, .timestampMillis),
             (_, .timestampMicros), (_, .localTimestampMillis), (_, .localTimestampMicros), (_, .timestampNanos),
             (_, .localTimestampNanos):
            throw AvroEncodingError("a \(value.kindName) value cannot be written as \(type.name)")
        default:
            return value
        }
    }
}

/// The text form of UUIDs (`8-4-4-4-12` hex digits) for generic values. It shares the
/// branch-free parser and formatter that generated code uses (`AvroLogicalCoding`), so both
/// paths accept and write exactly the same text.
enum AvroUUIDText {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case); nil for anything else.
    static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { AvroLogicalCoding.parseUUID($0) }
    }

    /// The lowercase text form, as Avro writers conventionally emit it.
    static func format(_ uuid: UUID) -> String {
        var writer = AvroWriter()
        writer.writeUUID(uuid)
        // writeUUID writes the length prefix (one byte for 36) before the text.
        return String(decoding: writer.bytes.dropFirst(), as: UTF8.self)
    }
}
