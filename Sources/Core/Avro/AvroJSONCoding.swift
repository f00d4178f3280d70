#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Avro's JSON encoding of values, as the specification defines it: `bytes` and `fixed` as
/// strings whose code points 0–255 are the bytes; a union value as `null` or as
/// `{"<branch type name>": value}` (full name for named types); logical values as their
/// underlying type. Non-finite floats are written as the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"` and read back from them.
public struct AvroJSONCoder: Sendable {
    /// The schema values follow.
    public let schema: AvroSchema
    let names: [AvroName: AvroSchema]

    /// Creates a coder for `schema`.
    public init(schema: AvroSchema) {
        self.schema = schema
        self.names = schema.namedTypes
    }

    /// Parses JSON text into a value of the schema.
    public func decode(_ text: String) throws(AvroError) -> AvroValue {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch { throw .json(error.description) }
        do {
            return try AvroJSONCoding.value(fromJSON: json, schema: schema, names: names, taggedUnions: true)
        } catch {
            throw .encoding(error)
        }
    }

    /// The JSON text of a value of the schema.
    public func encode(_ value: AvroValue) throws(AvroEncodingError) -> String {
        try AvroJSONCoding.json(for: value, schema: schema, names: names).serialized
    }

    /// The JSON tree of a value of the schema.
    public func encodeJSON(_ value: AvroValue) throws(AvroEncodingError) -> JSONValue {
        try AvroJSONCoding.json(for: value, schema: schema, names: names)
    }
}

/// Conversions between ``JSONValue`` and ``AvroValue`` under a schema (also used for field
/// defaults, which write unions untagged).
enum AvroJSONCoding {
    static func resolved(_ schema: AvroSchema, _ names: [AvroName: AvroSchema]) throws(AvroEncodingError) -> AvroSchema {
        guard case .reference(let name) = schema else { return schema }
        guard let definition = names[name] else { throw AvroEncodingError("schema references type \(name), not defined before this point") }
        return definition
    }

    static func bytes(fromJSONString text: String) throws(AvroEncodingError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard scalar.value <= 0xFF else { throw AvroEncodingError("bytes in JSON must be code points 0-255, found U+\(String(scalar.value, radix: 16))") }
            out.append(UInt8(scalar.value))
        }
        return out
    }

    static func jsonString(fromBytes bytes: [UInt8]) -> String {
        var text = String.UnicodeScalarView()
        for b in bytes { text.append(Unicode.Scalar(b)) }
        return String(text)
    }

    static func number(_ json: JSONValue) -> Double? {
        switch json {
        case .integer(let i): Double(i)
        case .double(let d): d
        case .string("NaN"): .nan
        case .string("Infinity"): .infinity
        case .string("-Infinity"): -.infinity
        default: nil
        }
    }

    static func value(fromJSON json: JSONValue, schema: AvroSchema, names: [AvroName: AvroSchema], taggedUnions: Bool) throws(AvroEncodingError) -> AvroValue {
        let schema = try resolved(schema, names)
        func expected(_ what: String) -> AvroEncodingError {
            AvroEncodingError("expected \(what), found JSON \(json.typeName) \(json.serialized.prefix(40))")
        }
        switch schema {
        case .null:
            guard json == .null else { throw expected("null") }
            return .null
        case .boolean:
            guard case .bool(let b) = json else { throw expected("a boolean") }
            return .boolean(b)
        case .int:
            guard case .integer(let i) = json, let v = Int32(exactly: i) else { throw expected("an int") }
            return .int(v)
        case .long:
            guard case .integer(let i) = json else { throw expected("a long") }
            return .long(i)
        case .float:
            guard let d = number(json) else { throw expected("a float") }
            return .float(Float(d))
        case .double:
            guard let d = number(json) else { throw expected("a double") }
            return .double(d)
        case .bytes:
            guard case .string(let s) = json else { throw expected("bytes as a string") }
            return .bytes(try bytes(fromJSONString: s))
        case .string:
            guard case .string(let s) = json else { throw expected("a string") }
            return .string(s)
        case .fixed(let f):
            guard case .string(let s) = json else { throw expected("fixed \(f.name) as a string") }
            let b = try bytes(fromJSONString: s)
            guard b.count == f.size else { throw AvroEncodingError("fixed \(f.name) needs \(f.size) bytes, got \(b.count)") }
            return .fixed(b)
        case .enumeration(let e):
            guard case .string(let s) = json, e.symbols.contains(s) else { throw expected("a symbol of enum \(e.name)") }
            return .enumeration(s)
        case .array(let items):
            guard case .array(let elements) = json else { throw expected("an array") }
            var out: [AvroValue] = []
            out.reserveCapacity(elements.count)
            for (i, element) in elements.enumerated() {
                do { out.append(try value(fromJSON: element, schema: items, names: names, taggedUnions: taggedUnions)) }
                catch { throw error.prefixed(with: "[\(i)]") }
            }
            return .array(out)
        case .map(let valueSchema):
            guard case .object(let members) = json else { throw expected("a map object") }
            var out: [String: AvroValue] = [:]
            for (key, member) in members {
                do { out[key] = try value(fromJSON: member, schema: valueSchema, names: names, taggedUnions: taggedUnions) }
                catch { throw error.prefixed(with: "[\"\(key)\"]") }
            }
            return .map(out)
        case .record(let record):
            guard case .object(let members) = json else { throw expected("a record \(record.name) object") }
            for member in members where !record.fields.contains(where: { $0.name == member.key }) {
                throw AvroEncodingError("record \(record.name) has no field \"\(member.key)\"")
            }
            var out: [String: AvroValue] = [:]
            for field in record.fields {
                if let member = json[field.name] {
                    do { out[field.name] = try value(fromJSON: member, schema: field.type, names: names, taggedUnions: taggedUnions) }
                    catch { throw error.prefixed(with: field.name) }
                } else if let defaultValue = field.defaultValue {
                    out[field.name] = defaultValue
                } else {
                    throw AvroEncodingError("missing field \"\(field.name)\" of record \(record.name), which has no default")
                }
            }
            return .record(out)
        case .union(let branches):
            if taggedUnions { return try taggedUnionValue(json, branches: branches, names: names) }
            for (i, branch) in branches.enumerated() {
                if let v = try? value(fromJSON: json, schema: branch, names: names, taggedUnions: false) { return .union(i, v) }
            }
            throw expected("a value of one of [\(branches.map(\.unionBranchName).joined(separator: ", "))]")
        case .logical(let type, let base):
            let underlying = try value(fromJSON: json, schema: base, names: names, taggedUnions: taggedUnions)
            guard let logical = AvroValue.wrapping(type, underlying) else { throw expected("a valid \(type.name) value") }
            return logical
        case .reference(let name):
            throw AvroEncodingError("schema references undefined type \(name)")
        }
    }

    static func taggedUnionValue(_ json: JSONValue, branches: [AvroSchema], names: [AvroName: AvroSchema]) throws(AvroEncodingError) -> AvroValue {
        if json == .null, let i = branches.firstIndex(of: .null) { return .union(i, .null) }
        guard case .object(let members) = json, members.count == 1, let (tag, inner) = members.first else {
            throw AvroEncodingError("a union value must be null or {\"<type name>\": value}, found \(json.serialized.prefix(40))")
        }
        let index = branches.firstIndex { $0.unionBranchName == tag }
            ?? branches.firstIndex { $0.fullName?.name == tag }
        guard let index else {
            throw AvroEncodingError("\"\(tag)\" is not a branch of union [\(branches.map(\.unionBranchName).joined(separator: ", "))]")
        }
        do {
            return .union(index, try value(fromJSON: inner, schema: branches[index], names: names, taggedUnions: true))
        } catch {
            throw error.prefixed(with: tag)
        }
    }

    static func json(for value: AvroValue, schema: AvroSchema, names: [AvroName: AvroSchema]) throws(AvroEncodingError) -> JSONValue {
        let schema = try resolved(schema, names)
        switch (schema, value) {
        case (.union(let branches), _):
            let index: Int
            let inner: AvroValue
            if case .union(let i, let v) = value, branches.indices.contains(i) {
                (index, inner) = (i, v)
            } else {
                guard let i = try AvroBinaryEncoder(schema: schema, names: names).branchIndex(for: value, in: branches) else {
                    throw AvroEncodingError("a \(value.kindName) value fits no branch of the union")
                }
                (index, inner) = (i, value)
            }
            if case .null = try resolved(branches[index], names) { return .null }
            return .object([(branches[index].unionBranchName, try json(for: inner, schema: branches[index], names: names))])
        case (.logical(let type, let base), _):
            return try json(for: try AvroValue.unwrapping(value, type, base: base), schema: base, names: names)
        case (_, .union(_, let inner)):
            return try json(for: inner, schema: schema, names: names)
        case (.null, .null): return .null
        case (.boolean, .boolean(let b)): return .bool(b)
        case (.int, .int(let v)): return .integer(Int64(v))
        case (.long, .long(let v)): return .integer(v)
        case (.long, .int(let v)): return .integer(Int64(v))
        case (.float, .float(let v)): return jsonNumber(Double(v))
        case (.float, .int(let v)): return jsonNumber(Double(v))
        case (.float, .long(let v)): return jsonNumber(Double(v))
        case (.double, .double(let v)): return jsonNumber(v)
        case (.double, .float(let v)): return jsonNumber(Double(v))
        case (.double, .int(let v)): return jsonNumber(Double(v))
        case (.double, .long(let v)): return jsonNumber(Double(v))
        case (.bytes, .bytes(let b)): return .string(jsonString(fromBytes: b))
        case (.string, .string(let s)): return .string(s)
        case (.fixed(let f), .fixed(let b)):
            guard b.count == f.size else { throw AvroEncodingError("fixed \(f.name) needs \(f.size) bytes, got \(b.count)") }
            return .string(jsonString(fromBytes: b))
        case (.enumeration(let e), .enumeration(let symbol)):
            guard e.symbols.contains(symbol) else { throw AvroEncodingError("\"\(symbol)\" is not a symbol of enum \(e.name)") }
            return .string(symbol)
        case (.array(let items), .array(let elements)):
            var out: [JSONValue] = []
            for (i, element) in elements.enumerated() {
                do { out.append(try json(for: element, schema: items, names: names)) } catch { throw error.prefixed(with: "[\(i)]") }
            }
            return .array(out)
        case (.map(let valueSchema), .map(let entries)):
            var out: [(key: String, value: JSONValue)] = []
            for key in entries.keys.sorted() {
                guard let entry = entries[key] else { continue }
                do { out.append((key, try json(for: entry, schema: valueSchema, names: names))) }
                catch { throw error.prefixed(with: "[\"\(key)\"]") }
            }
            return .object(out)
        case (.record(let record), .record(let fields)):
            var out: [(key: String, value: JSONValue)] = []
            for field in record.fields {
                guard let fieldValue = fields[field.name] ?? field.defaultValue else {
                    throw AvroEncodingError("missing field \"\(field.name)\" of record \(record.name), which has no default")
                }
                do { out.append((field.name, try json(for: fieldValue, schema: field.type, names: names))) }
                catch { throw error.prefixed(with: field.name) }
            }
            return .object(out)
        default:
            throw AvroEncodingError("a \(value.kindName) value does not fit schema type \(schema.unionBranchName)")
        }
    }

    static func jsonNumber(_ d: Double) -> JSONValue {
        if d.isNaN { return .string("NaN") }
        if d.isInfinite { return .string(d < 0 ? "-Infinity" : "Infinity") }
        return .double(d)
    }
}
