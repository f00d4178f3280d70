/// Encodes generic ``AvroValue``s in Avro's binary encoding, checking them against a schema.
///
/// Accepted leniencies: a union's value may be given without ``AvroValue/union(_:_:)`` (the
/// first branch that fits is chosen); an `int` value may be written as `long`, `float` or
/// `double`, a `long` as `float`/`double`, a `float` as `double`; logical types accept
/// either the logical value or the underlying one. Missing record fields take their default.
public struct AvroBinaryEncoder: Sendable {
    /// The schema values are written with.
    public let schema: AvroSchema
    let names: [AvroName: AvroSchema]

    /// Creates an encoder for `schema`.
    public init(schema: AvroSchema) {
        self.schema = schema
        self.names = schema.namedTypes
    }

    init(schema: AvroSchema, names: [AvroName: AvroSchema]) {
        self.schema = schema
        self.names = names
    }

    /// The encoding of `value`.
    public func encode(_ value: AvroValue) throws(AvroEncodingError) -> [UInt8] {
        var writer = AvroWriter()
        try encode(value, to: &writer)
        return writer.bytes
    }

    /// Appends the encoding of `value` to `writer`. On error the writer may hold part of the
    /// value; discard it (``encode(_:)`` does).
    public func encode(_ value: AvroValue, to writer: inout AvroWriter) throws(AvroEncodingError) {
        try write(value, as: schema, to: &writer)
    }

    func resolved(_ schema: AvroSchema) throws(AvroEncodingError) -> AvroSchema {
        guard case .reference(let name) = schema else { return schema }
        guard let definition = names[name] else { throw AvroEncodingError("schema references undefined type \(name)") }
        return definition
    }

    func mismatch(_ value: AvroValue, _ schema: AvroSchema) -> AvroEncodingError {
        AvroEncodingError("a \(value.kindName) value does not fit schema type \(schema.unionBranchName)")
    }

    func write(_ value: AvroValue, as schema: AvroSchema, to writer: inout AvroWriter) throws(AvroEncodingError) {
        switch (schema, value) {
        case (.reference, _):
            try write(value, as: try resolved(schema), to: &writer)
        case (.union(let branches), .union(let index, let inner)):
            guard branches.indices.contains(index) else {
                throw AvroEncodingError("union branch \(index) does not exist (the union has \(branches.count))")
            }
            writer.writeUnionIndex(index)
            try write(inner, as: branches[index], to: &writer)
        case (.union(let branches), _):
            guard let index = try branchIndex(for: value, in: branches) else {
                throw AvroEncodingError("a \(value.kindName) value fits no branch of union [\(branches.map(\.unionBranchName).joined(separator: ", "))]")
            }
            writer.writeUnionIndex(index)
            try write(value, as: branches[index], to: &writer)
        case (.logical(let type, let base), _):
            try write(try AvroValue.unwrapping(value, type, base: base), as: base, to: &writer)
        case (_, .union(_, let inner)):
            try write(inner, as: schema, to: &writer)
        case (.null, .null): writer.writeNull()
        case (.boolean, .boolean(let b)): writer.writeBoolean(b)
        case (.int, .int(let v)): writer.writeInt(v)
        case (.long, .long(let v)): writer.writeLong(v)
        case (.long, .int(let v)): writer.writeLong(Int64(v))
        case (.float, .float(let v)): writer.writeFloat(v)
        case (.float, .int(let v)): writer.writeFloat(Float(v))
        case (.float, .long(let v)): writer.writeFloat(Float(v))
        case (.double, .double(let v)): writer.writeDouble(v)
        case (.double, .float(let v)): writer.writeDouble(Double(v))
        case (.double, .int(let v)): writer.writeDouble(Double(v))
        case (.double, .long(let v)): writer.writeDouble(Double(v))
        case (.bytes, .bytes(let b)): writer.writeBytes(b)
        case (.string, .string(let s)): writer.writeString(s)
        case (.fixed(let f), .fixed(let b)):
            guard b.count == f.size else { throw AvroEncodingError("fixed \(f.name) needs \(f.size) bytes, got \(b.count)") }
            writer.writeFixed(b)
        case (.enumeration(let e), .enumeration(let symbol)):
            guard let ordinal = e.symbols.firstIndex(of: symbol) else {
                throw AvroEncodingError("\"\(symbol)\" is not a symbol of enum \(e.name)")
            }
            writer.writeEnumOrdinal(ordinal)
        case (.array(let items), .array(let elements)):
            if !elements.isEmpty {
                writer.writeBlockCount(elements.count)
                for (i, element) in elements.enumerated() {
                    do { try write(element, as: items, to: &writer) } catch { throw error.prefixed(with: "[\(i)]") }
                }
            }
            writer.writeEndOfBlocks()
        case (.map(let valueSchema), .map(let entries)):
            if !entries.isEmpty {
                writer.writeBlockCount(entries.count)
                for key in entries.keys.sorted() {
                    writer.writeString(key)
                    guard let entry = entries[key] else { continue }
                    do { try write(entry, as: valueSchema, to: &writer) } catch { throw error.prefixed(with: "[\"\(key)\"]") }
                }
            }
            writer.writeEndOfBlocks()
        case (.record(let record), .record(let fields)):
            var given = 0
            // Indexing projects the parts used; `for field in` would copy whole fields.
            let recordFields = record.fields
            for i in recordFields.indices {
                let name = recordFields[i].name
                let fieldValue: AvroValue
                if let value = fields[name] {
                    fieldValue = value
                    given += 1
                } else if let defaultValue = recordFields[i].defaultValue {
                    fieldValue = defaultValue
                } else {
                    throw AvroEncodingError("missing field \"\(name)\" of record \(record.name), which has no default")
                }
                do { try write(fieldValue, as: recordFields[i].type, to: &writer) } catch { throw error.prefixed(with: name) }
            }
            // Every given value must belong to a field (checked by count; names only on failure).
            if given != fields.count, let unknown = fields.keys.sorted().first(where: { key in !record.fields.contains { $0.name == key } }) {
                throw AvroEncodingError("record \(record.name) has no field \"\(unknown)\"")
            }
        default:
            throw mismatch(value, schema)
        }
    }

    /// The first union branch `value` fits, preferring an exact kind match over a widening.
    func branchIndex(for value: AvroValue, in branches: [AvroSchema]) throws(AvroEncodingError) -> Int? {
        for exact in [true, false] {
            for (i, branch) in branches.enumerated() where try fits(value, branch, exact: exact) { return i }
        }
        return nil
    }

    func fits(_ value: AvroValue, _ schema: AvroSchema, exact: Bool) throws(AvroEncodingError) -> Bool {
        let schema = try resolved(schema)
        switch (schema, value) {
        case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
             (.bytes, .bytes), (.string, .string), (.array, .array), (.map, .map):
            return true
        case (.long, .int), (.float, .int), (.float, .long), (.double, .int), (.double, .long), (.double, .float):
            return !exact
        case (.fixed(let f), .fixed(let b)): return b.count == f.size
        case (.enumeration(let e), .enumeration(let symbol)): return e.symbols.contains(symbol)
        case (.record(let r), .record(let fields)):
            return fields.keys.allSatisfy { key in r.fields.contains { $0.name == key } }
                && r.fields.allSatisfy { fields[$0.name] != nil || $0.defaultValue != nil }
        case (.logical(let type, let base), _):
            if (try? AvroValue.unwrapping(value, type, base: base)) == nil { return false }
            if case .logical = AvroValue.unwrappingLogicalKind(value) { return true }
            return try fits(value, base, exact: exact)
        default: return false
        }
    }
}

extension AvroValue {
    /// Whether a value is one of the logical cases (`.logical`) or a plain one (`.plain`).
    enum LogicalKind { case logical, plain }

    static func unwrappingLogicalKind(_ value: AvroValue) -> LogicalKind {
        switch value {
        case .decimal, .uuid, .date, .timeMillis, .timeMicros, .timestampMillis, .timestampMicros,
             .localTimestampMillis, .localTimestampMicros, .timestampNanos, .localTimestampNanos:
            .logical
        default: .plain
        }
    }
}
