/// A parsed Avro schema.
///
/// Named types (record, enum, fixed) appear in full at their first occurrence in a
/// depth-first, left-to-right walk; every later use of the same type — including the
/// recursive use inside a record that refers to itself — is `.reference(fullName)`.
/// Every schema produced by the parser is *self-contained*: each reference points to a
/// definition earlier in the same tree (a type defined in another `.avsc` file of an
/// ``AvroSchemaSet`` is inlined at its first use). ``namedTypes`` collects those definitions.
public indirect enum AvroSchema: Sendable, Hashable {
    /// `"null"`.
    case null
    /// `"boolean"`.
    case boolean
    /// `"int"`: 32-bit signed.
    case int
    /// `"long"`: 64-bit signed.
    case long
    /// `"float"`: IEEE 754 single precision.
    case float
    /// `"double"`: IEEE 754 double precision.
    case double
    /// `"bytes"`.
    case bytes
    /// `"string"`: UTF-8 text.
    case string
    /// `{"type": "array", "items": …}`.
    case array(AvroSchema)
    /// `{"type": "map", "values": …}` (keys are strings).
    case map(AvroSchema)
    /// `[…]`: a union of branches (no two of the same unnamed type, no nested unions).
    case union([AvroSchema])
    /// `{"type": "record", …}` (also `"error"`).
    case record(AvroRecordSchema)
    /// `{"type": "enum", …}`.
    case enumeration(AvroEnumSchema)
    /// `{"type": "fixed", …}`.
    case fixed(AvroFixedSchema)
    /// A use of a named type defined earlier in the same tree (or enclosing it: recursion).
    case reference(AvroName)
    /// A logical type annotating its underlying schema (`.int`, `.long`, `.bytes`, `.string`
    /// or `.fixed`). Invalid logical type annotations are ignored as the spec requires, so the
    /// underlying schema always matches the logical type here.
    case logical(AvroLogicalType, AvroSchema)
}

/// The full name of a named type: `namespace.name`.
public struct AvroName: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The unqualified name, e.g. `Money`.
    public var name: String
    /// The namespace, e.g. `com.example.payments` (nil for the null namespace).
    public var namespace: String?

    /// Creates a name from its parts.
    public init(name: String, namespace: String?) {
        self.name = name
        self.namespace = (namespace?.isEmpty ?? true) ? nil : namespace
    }

    /// Splits a full name `a.b.C` at its last dot.
    public init(fullName: String) {
        if let dot = fullName.lastIndex(of: ".") {
            self.init(name: String(fullName[fullName.index(after: dot)...]), namespace: String(fullName[..<dot]))
        } else {
            self.init(name: fullName, namespace: nil)
        }
    }

    /// `namespace.name`, or `name` in the null namespace.
    public var fullName: String { namespace.map { "\($0).\(name)" } ?? name }

    public var description: String { fullName }

    public static func < (lhs: AvroName, rhs: AvroName) -> Bool { lhs.fullName < rhs.fullName }
}

/// A record schema.
public struct AvroRecordSchema: Sendable, Hashable {
    /// Full name.
    public var name: AvroName
    /// Alternate full names this record is known by (schema resolution).
    public var aliases: [AvroName]
    /// Documentation.
    public var doc: String?
    /// The fields in declaration (and encoding) order.
    public var fields: [AvroField]
    /// True when declared with `"type": "error"` (protocols); encodes like a record.
    public var isError: Bool

    /// Creates a record schema.
    public init(name: AvroName, aliases: [AvroName] = [], doc: String? = nil, fields: [AvroField], isError: Bool = false) {
        self.name = name
        self.aliases = aliases
        self.doc = doc
        self.fields = fields
        self.isError = isError
    }
}

/// A field of a record.
public struct AvroField: Sendable, Hashable {
    /// Sort order of a field (used by Avro's ordering; carried, not otherwise used here).
    public enum Order: String, Sendable, Hashable {
        case ascending, descending, ignore
    }

    /// Field name.
    public var name: String
    /// Field type.
    public var type: AvroSchema
    /// Documentation.
    public var doc: String?
    /// The default value as written in the schema JSON, if any.
    public var defaultJSON: JSONValue?
    /// The default value decoded against ``type`` (for a union: `.union(branch, value)`),
    /// if there is one. Set whenever ``defaultJSON`` is.
    public var defaultValue: AvroValue?
    /// Alternate names of this field (schema resolution).
    public var aliases: [String]
    /// Sort order.
    public var order: Order

    /// Creates a field.
    public init(name: String, type: AvroSchema, doc: String? = nil, defaultJSON: JSONValue? = nil,
                defaultValue: AvroValue? = nil, aliases: [String] = [], order: Order = .ascending) {
        self.name = name
        self.type = type
        self.doc = doc
        self.defaultJSON = defaultJSON
        self.defaultValue = defaultValue
        self.aliases = aliases
        self.order = order
    }
}

/// An enum schema.
public struct AvroEnumSchema: Sendable, Hashable {
    /// Full name.
    public var name: AvroName
    /// Alternate full names.
    public var aliases: [AvroName]
    /// Documentation.
    public var doc: String?
    /// The symbols; a value is encoded as its index here.
    public var symbols: [String]
    /// Symbol a reader uses for writer symbols it does not know (schema resolution).
    public var defaultSymbol: String?

    /// Creates an enum schema.
    public init(name: AvroName, aliases: [AvroName] = [], doc: String? = nil, symbols: [String], defaultSymbol: String? = nil) {
        self.name = name
        self.aliases = aliases
        self.doc = doc
        self.symbols = symbols
        self.defaultSymbol = defaultSymbol
    }
}

/// A fixed-size bytes schema.
public struct AvroFixedSchema: Sendable, Hashable {
    /// Full name.
    public var name: AvroName
    /// Alternate full names.
    public var aliases: [AvroName]
    /// Documentation.
    public var doc: String?
    /// Number of bytes of every value.
    public var size: Int

    /// Creates a fixed schema.
    public init(name: AvroName, aliases: [AvroName] = [], doc: String? = nil, size: Int) {
        self.name = name
        self.aliases = aliases
        self.doc = doc
        self.size = size
    }
}

/// The logical types this module understands.
///
/// Values of logical types (see ``AvroValue``) keep full precision: decimals as
/// ``AvroDecimal`` (exact unscaled integer + scale), UUIDs as Foundation `UUID`, dates as days
/// since 1970-01-01, times and timestamps as integer milli/micro/nanoseconds (not `Date`,
/// whose `Double` loses microseconds far from 2001).
public enum AvroLogicalType: Sendable, Hashable {
    /// `decimal` on `bytes` or `fixed`: unscaled two's-complement big-endian integer.
    case decimal(precision: Int, scale: Int)
    /// `uuid` on `string` (or on `fixed` of size 16, Avro 1.12).
    case uuid
    /// `date` on `int`: days since the Unix epoch.
    case date
    /// `time-millis` on `int`: milliseconds after midnight.
    case timeMillis
    /// `time-micros` on `long`: microseconds after midnight.
    case timeMicros
    /// `timestamp-millis` on `long`: milliseconds since the Unix epoch, UTC.
    case timestampMillis
    /// `timestamp-micros` on `long`: microseconds since the Unix epoch, UTC.
    case timestampMicros
    /// `local-timestamp-millis` on `long`: milliseconds since 1970-01-01 in local time.
    case localTimestampMillis
    /// `local-timestamp-micros` on `long`: microseconds since 1970-01-01 in local time.
    case localTimestampMicros
    /// `timestamp-nanos` on `long` (Avro 1.12): nanoseconds since the Unix epoch, UTC
    /// (an `Int64` spans 1677-09-21 to 2262-04-11).
    case timestampNanos
    /// `local-timestamp-nanos` on `long` (Avro 1.12): nanoseconds since 1970-01-01 in local time.
    case localTimestampNanos

    /// The `logicalType` string of the schema JSON.
    public var name: String {
        switch self {
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

extension AvroSchema {
    /// The type name used in JSON (`"int"`, `"record"`, …; a logical schema gives its base's).
    public var typeName: String {
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
        case .union: "union"
        case .record: "record"
        case .enumeration: "enum"
        case .fixed: "fixed"
        case .reference: "reference"
        case .logical(_, let base): base.typeName
        }
    }

    /// The full name of a named type (record, enum, fixed, a reference, or a logical type
    /// over fixed); nil for other types.
    public var fullName: AvroName? {
        switch self {
        case .record(let r): r.name
        case .enumeration(let e): e.name
        case .fixed(let f): f.name
        case .reference(let name): name
        case .logical(_, let base): base.fullName
        default: nil
        }
    }

    /// The name a union branch of this type has in Avro's JSON encoding: the full name for
    /// named types, otherwise the type name (`"int"`, `"array"`, `"map"`, …).
    public var unionBranchName: String {
        fullName?.fullName ?? typeName
    }

    /// Every named type defined in this schema (its first, full occurrence), by full name.
    /// The values keep their logical-type wrapper (e.g. a decimal fixed).
    public var namedTypes: [AvroName: AvroSchema] {
        var table: [AvroName: AvroSchema] = [:]
        collectNamedTypes(into: &table)
        return table
    }

    func collectNamedTypes(into table: inout [AvroName: AvroSchema]) {
        switch self {
        case .array(let items): items.collectNamedTypes(into: &table)
        case .map(let values): values.collectNamedTypes(into: &table)
        case .union(let branches): for b in branches { b.collectNamedTypes(into: &table) }
        case .record(let r):
            if table[r.name] == nil { table[r.name] = self }
            for f in r.fields { f.type.collectNamedTypes(into: &table) }
        case .enumeration(let e): if table[e.name] == nil { table[e.name] = self }
        case .fixed(let f): if table[f.name] == nil { table[f.name] = self }
        case .logical(_, let base):
            if let name = base.fullName, case .fixed = base, table[name] == nil { table[name] = self }
        default: break
        }
    }

    /// This schema without a logical-type wrapper.
    public var withoutLogicalType: AvroSchema {
        if case .logical(_, let base) = self { return base }
        return self
    }
}
