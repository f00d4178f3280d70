#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A generic Avro value, shaped by a schema.
///
/// Decoders produce the logical cases (``decimal(_:)``, ``uuid(_:)``, ``date(_:)``, …) for
/// schemas with a logical type; encoders accept either the logical case or the plain
/// underlying value (e.g. `.int(19000)` for a `date`).
public indirect enum AvroValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `boolean`.
    case boolean(Bool)
    /// `int`.
    case int(Int32)
    /// `long`.
    case long(Int64)
    /// `float`.
    case float(Float)
    /// `double`.
    case double(Double)
    /// `bytes`.
    case bytes([UInt8])
    /// `string`.
    case string(String)
    /// `array`.
    case array([AvroValue])
    /// `map` (keys are strings; encoders write them sorted by key, for determinism).
    case map([String: AvroValue])
    /// `record`: field values by field name.
    case record([String: AvroValue])
    /// `enum`: the symbol.
    case enumeration(String)
    /// `fixed`: exactly the schema's size in bytes.
    case fixed([UInt8])
    /// A value of a union: the branch index and the branch's value.
    case union(Int, AvroValue)
    /// `decimal` (on bytes or fixed).
    case decimal(AvroDecimal)
    /// `uuid`.
    case uuid(UUID)
    /// `date`: days since 1970-01-01.
    case date(Int32)
    /// `time-millis`: milliseconds after midnight.
    case timeMillis(Int32)
    /// `time-micros`: microseconds after midnight.
    case timeMicros(Int64)
    /// `timestamp-millis`: milliseconds since the Unix epoch (UTC).
    case timestampMillis(Int64)
    /// `timestamp-micros`: microseconds since the Unix epoch (UTC).
    case timestampMicros(Int64)
    /// `local-timestamp-millis`: milliseconds since 1970-01-01T00:00 local time.
    case localTimestampMillis(Int64)
    /// `local-timestamp-micros`: microseconds since 1970-01-01T00:00 local time.
    case localTimestampMicros(Int64)

    /// A value of a record's field, or nil (also for non-records).
    public subscript(field: String) -> AvroValue? {
        guard case .record(let fields) = self else { return nil }
        return fields[field]
    }

    /// The value inside a union (or this value if it is not a union value).
    public var unwrappingUnion: AvroValue {
        if case .union(_, let inner) = self { return inner.unwrappingUnion }
        return self
    }
}

/// An exact decimal number: an arbitrary-size unscaled integer and a scale, the value
/// being `unscaled × 10^-scale`. This is Avro's own representation (big-endian two's
/// complement bytes), so it round-trips every value bit for bit.
public struct AvroDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The unscaled integer, big-endian two's complement, minimal length (at least one byte).
    public private(set) var unscaledBytes: [UInt8]
    /// Digits after the decimal point.
    public let scale: Int

    /// Creates a decimal from two's-complement big-endian bytes (as Avro encodes them).
    public init(unscaledBytes: [UInt8], scale: Int) {
        self.unscaledBytes = AvroDecimal.minimal(unscaledBytes)
        self.scale = scale
    }

    /// Creates a decimal `unscaled × 10^-scale`.
    public init(unscaled: Int64, scale: Int) {
        var bytes = [UInt8](repeating: 0, count: 8)
        var v = UInt64(bitPattern: unscaled)
        for i in stride(from: 7, through: 0, by: -1) { bytes[i] = UInt8(truncatingIfNeeded: v); v >>= 8 }
        self.init(unscaledBytes: bytes, scale: scale)
    }

    /// Parses decimal text such as `-123.4500` (sign, digits, optional point and digits).
    /// The scale is the number of digits written after the point.
    public init?(_ text: String) {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" { negative = true; digits = digits.dropFirst() } else if digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let intPart = parts.first, !(intPart.isEmpty && (parts.count < 2 || parts[1].isEmpty)) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        let all = intPart + fraction
        guard all.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Magnitude as base-256 big-endian, built by multiply-add per decimal digit.
        var magnitude: [UInt8] = [0]
        for ch in all.utf8 {
            var carry = UInt32(ch - UInt8(ascii: "0"))
            for i in stride(from: magnitude.count - 1, through: 0, by: -1) {
                let v = UInt32(magnitude[i]) * 10 + carry
                magnitude[i] = UInt8(truncatingIfNeeded: v)
                carry = v >> 8
            }
            while carry > 0 { magnitude.insert(UInt8(truncatingIfNeeded: carry), at: 0); carry >>= 8 }
        }
        magnitude.insert(0, at: 0)  // room for the sign bit
        self.init(unscaledBytes: negative ? AvroDecimal.negate(magnitude) : magnitude, scale: fraction.count)
    }

    /// True when the unscaled value is negative.
    public var isNegative: Bool { (unscaledBytes.first ?? 0) & 0x80 != 0 }

    /// The unscaled value if it fits in 64 bits.
    public var unscaledInt64: Int64? {
        guard unscaledBytes.count <= 8 else { return nil }
        var v: Int64 = isNegative ? -1 : 0
        for b in unscaledBytes { v = v << 8 | Int64(b) }
        return v
    }

    /// Exact decimal text, e.g. `-0.05` for unscaled -5 with scale 2.
    public var description: String {
        let negative = isNegative
        var magnitude = negative ? AvroDecimal.negate(unscaledBytes) : unscaledBytes
        // Repeated division by 10 of the big-endian magnitude.
        var digits: [UInt8] = []
        while magnitude.contains(where: { $0 != 0 }) {
            var remainder: UInt32 = 0
            for i in magnitude.indices {
                let v = remainder << 8 | UInt32(magnitude[i])
                magnitude[i] = UInt8(v / 10)
                remainder = v % 10
            }
            digits.append(UInt8(ascii: "0") + UInt8(remainder))
        }
        if digits.isEmpty { digits = [UInt8(ascii: "0")] }
        if scale > 0 {
            while digits.count <= scale { digits.append(UInt8(ascii: "0")) }
            digits.insert(UInt8(ascii: "."), at: scale)
        }
        if negative { digits.append(UInt8(ascii: "-")) }
        var text = String(decoding: digits.reversed(), as: UTF8.self)
        if scale < 0 { text += String(repeating: "0", count: -scale) }
        return text
    }

    /// Two's complement negation of a big-endian integer (same width).
    static func negate(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes.map { ~$0 }
        var carry: UInt16 = 1
        for i in stride(from: out.count - 1, through: 0, by: -1) where carry > 0 {
            let v = UInt16(out[i]) + carry
            out[i] = UInt8(truncatingIfNeeded: v)
            carry = v >> 8
        }
        return out
    }

    /// Drops redundant sign-extension bytes.
    static func minimal(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [0] }
        var start = 0
        while start < bytes.count - 1 {
            let b = bytes[start], next = bytes[start + 1]
            if (b == 0 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0) { start += 1 } else { break }
        }
        return Array(bytes[start...])
    }

    /// The unscaled bytes sign-extended to exactly `size` bytes (for `fixed`), or nil if they
    /// do not fit.
    public func unscaledBytes(paddedTo size: Int) -> [UInt8]? {
        guard unscaledBytes.count <= size else { return nil }
        let pad: UInt8 = isNegative ? 0xFF : 0
        return [UInt8](repeating: pad, count: size - unscaledBytes.count) + unscaledBytes
    }

    /// Whether the unscaled value has at most `precision` decimal digits. Rejects values
    /// with too many bytes before counting digits, so hostile input costs little.
    public func fits(precision: Int) -> Bool {
        // A value of n bytes has at least (8·(n−1) − 1)·log10(2) digits when minimal.
        let maximumBytes = (precision * 3322 / 1000 + 1) / 8 + 2
        guard unscaledBytes.count <= maximumBytes else { return false }
        return digitCount <= precision
    }

    /// Number of significant decimal digits of the unscaled value (for precision checks).
    public var digitCount: Int {
        var text = description
        text.removeAll { $0 == "-" || $0 == "." }
        let trimmed = text.drop { $0 == "0" }
        return max(trimmed.count, 1)
    }
}

extension AvroValue {
    /// The logical value for a decoded underlying value (`.int(3)` → `.date(3)`), or nil
    /// when the underlying value is not valid for the logical type (e.g. a malformed uuid).
    static func wrapping(_ type: AvroLogicalType, _ base: AvroValue) -> AvroValue? {
        switch (type, base) {
        case (.decimal(let precision, let scale), .bytes(let b)), (.decimal(let precision, let scale), .fixed(let b)):
            let decimal = AvroDecimal(unscaledBytes: b, scale: scale)
            return decimal.fits(precision: precision) ? .decimal(decimal) : nil
        case (.uuid, .string(let s)): return UUID(uuidString: s).map(AvroValue.uuid)
        case (.uuid, .fixed(let b)) where b.count == 16:
            return .uuid(UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])))
        case (.date, .int(let v)): return .date(v)
        case (.timeMillis, .int(let v)): return .timeMillis(v)
        case (.timeMicros, .long(let v)): return .timeMicros(v)
        case (.timestampMillis, .long(let v)): return .timestampMillis(v)
        case (.timestampMicros, .long(let v)): return .timestampMicros(v)
        case (.localTimestampMillis, .long(let v)): return .localTimestampMillis(v)
        case (.localTimestampMicros, .long(let v)): return .localTimestampMicros(v)
        default: return nil
        }
    }

    /// The underlying value of a logical value for `base` (`.date(3)` → `.int(3)`); plain
    /// underlying values pass through. Decimals are rescaled up to the schema's scale and
    /// checked against its precision. Throws when the value does not fit.
    static func unwrapping(_ value: AvroValue, _ type: AvroLogicalType, base: AvroSchema) throws(AvroEncodingError) -> AvroValue {
        switch (type, value) {
        case (.decimal(let precision, let scale), .decimal(var decimal)):
            if decimal.scale < scale {
                var text = decimal.description
                if decimal.scale == 0 { text += "." }
                text += String(repeating: "0", count: scale - decimal.scale)
                guard let rescaled = AvroDecimal(text) else { throw AvroEncodingError("cannot rescale decimal \(decimal)") }
                decimal = rescaled
            }
            guard decimal.scale == scale else {
                throw AvroEncodingError("decimal \(decimal) has scale \(decimal.scale), more than the schema's \(scale)")
            }
            guard decimal.fits(precision: precision) else {
                throw AvroEncodingError("decimal \(decimal) has more than the schema's \(precision) digits of precision")
            }
            if case .fixed(let f) = base {
                guard let padded = decimal.unscaledBytes(paddedTo: f.size) else {
                    throw AvroEncodingError("decimal \(decimal) does not fit in \(f.size) bytes")
                }
                return .fixed(padded)
            }
            return .bytes(decimal.unscaledBytes)
        case (.uuid, .uuid(let uuid)):
            if case .fixed = base { return .fixed(withUnsafeBytes(of: uuid.uuid) { Array($0) }) }
            return .string(uuid.uuidString.lowercased())
        case (.date, .date(let v)), (.timeMillis, .timeMillis(let v)): return .int(v)
        case (.timeMicros, .timeMicros(let v)), (.timestampMillis, .timestampMillis(let v)),
             (.timestampMicros, .timestampMicros(let v)), (.localTimestampMillis, .localTimestampMillis(let v)),
             (.localTimestampMicros, .localTimestampMicros(let v)):
            return .long(v)
        case (_, .decimal), (_, .uuid), (_, .date), (_, .timeMillis), (_, .timeMicros), (_, .timestampMillis),
             (_, .timestampMicros), (_, .localTimestampMillis), (_, .localTimestampMicros):
            throw AvroEncodingError("a \(value.kindName) value cannot be written as \(type.name)")
        default:
            return value
        }
    }

    /// A short name of this value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .int: "int"
        case .long: "long"
        case .float: "float"
        case .double: "double"
        case .bytes: "bytes"
        case .string: "string"
        case .array: "array"
        case .map: "map"
        case .record: "record"
        case .enumeration: "enum"
        case .fixed: "fixed"
        case .union: "union"
        case .decimal: "decimal"
        case .uuid: "uuid"
        case .date: "date"
        case .timeMillis: "time-millis"
        case .timeMicros: "time-micros"
        case .timestampMillis: "timestamp-millis"
        case .timestampMicros: "timestamp-micros"
        case .localTimestampMillis: "local-timestamp-millis"
        case .localTimestampMicros: "local-timestamp-micros"
        }
    }
}
