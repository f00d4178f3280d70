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
///
/// Only ``union(_:_:)`` is stored indirectly (it contains a value); scalars are stored inline,
/// so decoding an `int` does not allocate.
public enum AvroValue: Sendable, Hashable {
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
    indirect case union(Int, AvroValue)
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
    /// `timestamp-nanos`: nanoseconds since the Unix epoch (UTC).
    case timestampNanos(Int64)
    /// `local-timestamp-nanos`: nanoseconds since 1970-01-01T00:00 local time.
    case localTimestampNanos(Int64)

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

extension AvroValue {
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
        case .timestampNanos: "timestamp-nanos"
        case .localTimestampNanos: "local-timestamp-nanos"
        }
    }
}
