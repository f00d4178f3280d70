import Avro

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes Swift expressions that rebuild a parsed schema (and the default values in it)
/// without parsing anything at run time, so a generated type's `avroSchema` cannot fail.
enum SchemaLiteral {
    /// A Swift expression of type `Avro.AvroSchema` equal to `schema`.
    static func schema(_ schema: AvroSchema) -> String {
        switch schema {
        case .null: ".null"
        case .boolean: ".boolean"
        case .int: ".int"
        case .long: ".long"
        case .float: ".float"
        case .double: ".double"
        case .bytes: ".bytes"
        case .string: ".string"
        case .array(let items): ".array(\(self.schema(items)))"
        case .map(let values): ".map(\(self.schema(values)))"
        case .union(let branches): ".union([\(branches.map(self.schema).joined(separator: ", "))])"
        case .reference(let name): ".reference(\(self.name(name)))"
        case .logical(let logical, let base): ".logical(\(logicalType(logical)), \(self.schema(base)))"
        case .record(let record):
            """
            .record(Avro.AvroRecordSchema(name: \(name(record.name)), aliases: \(names(record.aliases)), \
            doc: \(optionalString(record.doc)), fields: [\(record.fields.map(field).joined(separator: ", "))], \
            isError: \(record.isError)))
            """
        case .enumeration(let e):
            """
            .enumeration(Avro.AvroEnumSchema(name: \(name(e.name)), aliases: \(names(e.aliases)), \
            doc: \(optionalString(e.doc)), symbols: [\(e.symbols.map(SwiftNames.stringLiteral).joined(separator: ", "))], \
            defaultSymbol: \(optionalString(e.defaultSymbol))))
            """
        case .fixed(let f):
            """
            .fixed(Avro.AvroFixedSchema(name: \(name(f.name)), aliases: \(names(f.aliases)), \
            doc: \(optionalString(f.doc)), size: \(f.size)))
            """
        }
    }

    static func field(_ field: AvroField) -> String {
        """
        Avro.AvroField(name: \(SwiftNames.stringLiteral(field.name)), type: \(schema(field.type)), \
        doc: \(optionalString(field.doc)), defaultJSON: \(field.defaultJSON.map(json) ?? "nil"), \
        defaultValue: \(field.defaultValue.map(value) ?? "nil"), \
        aliases: [\(field.aliases.map(SwiftNames.stringLiteral).joined(separator: ", "))], order: .\(field.order.rawValue))
        """
    }

    static func name(_ name: AvroName) -> String {
        "Avro.AvroName(name: \(SwiftNames.stringLiteral(name.name)), namespace: \(optionalString(name.namespace)))"
    }

    static func names(_ names: [AvroName]) -> String {
        "[\(names.map(name).joined(separator: ", "))]"
    }

    static func optionalString(_ text: String?) -> String {
        text.map(SwiftNames.stringLiteral) ?? "nil"
    }

    static func logicalType(_ logical: AvroLogicalType) -> String {
        switch logical {
        case .decimal(let precision, let scale): "Avro.AvroLogicalType.decimal(precision: \(precision), scale: \(scale))"
        case .uuid: "Avro.AvroLogicalType.uuid"
        case .date: "Avro.AvroLogicalType.date"
        case .timeMillis: "Avro.AvroLogicalType.timeMillis"
        case .timeMicros: "Avro.AvroLogicalType.timeMicros"
        case .timestampMillis: "Avro.AvroLogicalType.timestampMillis"
        case .timestampMicros: "Avro.AvroLogicalType.timestampMicros"
        case .localTimestampMillis: "Avro.AvroLogicalType.localTimestampMillis"
        case .localTimestampMicros: "Avro.AvroLogicalType.localTimestampMicros"
        case .timestampNanos: "Avro.AvroLogicalType.timestampNanos"
        case .localTimestampNanos: "Avro.AvroLogicalType.localTimestampNanos"
        }
    }

    /// A Swift expression of type `Avro.JSONValue`.
    static func json(_ value: JSONValue) -> String {
        switch value {
        case .null: "Avro.JSONValue.null"
        case .bool(let b): "Avro.JSONValue.bool(\(b))"
        case .integer(let i): "Avro.JSONValue.integer(\(int64(i)))"
        case .double(let d): "Avro.JSONValue.double(\(double(d)))"
        case .string(let s): "Avro.JSONValue.string(\(SwiftNames.stringLiteral(s)))"
        case .array(let items): "Avro.JSONValue.array([\(items.map(json).joined(separator: ", "))])"
        case .object(let members):
            "Avro.JSONValue.object([\(members.map { "(key: \(SwiftNames.stringLiteral($0.key)), value: \(json($0.value)))" }.joined(separator: ", "))])"
        }
    }

    /// A Swift expression of type `Avro.AvroValue`.
    static func value(_ value: AvroValue) -> String {
        switch value {
        case .null: "Avro.AvroValue.null"
        case .boolean(let b): "Avro.AvroValue.boolean(\(b))"
        case .int(let i): "Avro.AvroValue.int(\(int32(i)))"
        case .long(let l): "Avro.AvroValue.long(\(int64(l)))"
        case .float(let f): "Avro.AvroValue.float(Swift.Float(bitPattern: \(f.bitPattern)))"
        case .double(let d): "Avro.AvroValue.double(\(double(d)))"
        case .bytes(let b): "Avro.AvroValue.bytes(\(bytes(b)))"
        case .string(let s): "Avro.AvroValue.string(\(SwiftNames.stringLiteral(s)))"
        case .array(let items): "Avro.AvroValue.array([\(items.map(self.value).joined(separator: ", "))])"
        case .map(let entries): "Avro.AvroValue.map(\(dictionary(entries)))"
        case .record(let fields): "Avro.AvroValue.record(\(dictionary(fields)))"
        case .enumeration(let symbol): "Avro.AvroValue.enumeration(\(SwiftNames.stringLiteral(symbol)))"
        case .fixed(let b): "Avro.AvroValue.fixed(\(bytes(b)))"
        case .union(let index, let inner): "Avro.AvroValue.union(\(index), \(self.value(inner)))"
        case .decimal(let d): "Avro.AvroValue.decimal(\(decimal(d)))"
        case .uuid(let u): "Avro.AvroValue.uuid(\(uuid(u)))"
        case .date(let d): "Avro.AvroValue.date(\(int32(d)))"
        case .timeMillis(let t): "Avro.AvroValue.timeMillis(\(int32(t)))"
        case .timeMicros(let t): "Avro.AvroValue.timeMicros(\(int64(t)))"
        case .timestampMillis(let t): "Avro.AvroValue.timestampMillis(\(int64(t)))"
        case .timestampMicros(let t): "Avro.AvroValue.timestampMicros(\(int64(t)))"
        case .localTimestampMillis(let t): "Avro.AvroValue.localTimestampMillis(\(int64(t)))"
        case .localTimestampMicros(let t): "Avro.AvroValue.localTimestampMicros(\(int64(t)))"
        case .timestampNanos(let t): "Avro.AvroValue.timestampNanos(\(int64(t)))"
        case .localTimestampNanos(let t): "Avro.AvroValue.localTimestampNanos(\(int64(t)))"
        }
    }

    static func dictionary(_ entries: [String: AvroValue]) -> String {
        if entries.isEmpty { return "[:]" }
        let body = entries.keys.sorted().compactMap { key in
            entries[key].map { "\(SwiftNames.stringLiteral(key)): \(value($0))" }
        }
        return "[\(body.joined(separator: ", "))]"
    }

    /// `Int64.min` cannot be written as a negative literal in every context; spell it out.
    static func int64(_ value: Int64) -> String {
        value == .min ? "Swift.Int64.min" : "\(value)"
    }

    static func int32(_ value: Int32) -> String {
        value == .min ? "Swift.Int32.min" : "\(value)"
    }

    /// Exact: the bit pattern, so NaN, infinities and every digit survive.
    static func double(_ value: Double) -> String {
        "Swift.Double(bitPattern: \(value.bitPattern))"
    }

    static func bytes(_ bytes: [UInt8]) -> String {
        "[\(bytes.map { String($0) }.joined(separator: ", "))] as [Swift.UInt8]"
    }

    static func decimal(_ d: AvroDecimal) -> String {
        "Avro.AvroDecimal(unscaledBytes: \(bytes(d.unscaledBytes)), scale: \(d.scale))"
    }

    /// A `UUID(uuid:)` expression from the 16 bytes (no string parsing, no failure path).
    static func uuid(_ u: UUID) -> String {
        let t = u.uuid
        let parts = [t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9, t.10, t.11, t.12, t.13, t.14, t.15]
        return "Foundation.UUID(uuid: (\(parts.map { String($0) }.joined(separator: ", "))))"
    }
}
