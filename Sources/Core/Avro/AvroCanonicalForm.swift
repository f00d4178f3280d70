/// Avro's Parsing Canonical Form: the schema stripped to what affects how data is read
/// (`type`, `name`, `fields`, `symbols`, `items`, `values`, `size`), with full names, in the
/// specification's attribute order, without whitespace. Two schemas with the same canonical
/// form read and write the same bytes; its fingerprint identifies a schema on the wire.
public enum AvroCanonicalForm {
    /// The Parsing Canonical Form of `schema`.
    public static func canonicalForm(of schema: AvroSchema) -> String {
        var out = ""
        var seen: Set<AvroName> = []
        write(schema, into: &out, seen: &seen)
        return out
    }

    static func write(_ schema: AvroSchema, into out: inout String, seen: inout Set<AvroName>) {
        switch schema {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string:
            out += "\"\(schema.typeName)\""
        case .logical(_, let base):
            write(base, into: &out, seen: &seen)
        case .reference(let name):
            JSONValue.appendQuoted(name.fullName, to: &out)
        case .array(let items):
            out += "{\"type\":\"array\",\"items\":"
            write(items, into: &out, seen: &seen)
            out += "}"
        case .map(let values):
            out += "{\"type\":\"map\",\"values\":"
            write(values, into: &out, seen: &seen)
            out += "}"
        case .union(let branches):
            out += "["
            for (i, branch) in branches.enumerated() {
                if i > 0 { out += "," }
                write(branch, into: &out, seen: &seen)
            }
            out += "]"
        case .record(let record):
            guard openNamed(record.name, type: "record", into: &out, seen: &seen) else { return }
            out += ",\"fields\":["
            for (i, field) in record.fields.enumerated() {
                if i > 0 { out += "," }
                out += "{\"name\":"
                JSONValue.appendQuoted(field.name, to: &out)
                out += ",\"type\":"
                write(field.type, into: &out, seen: &seen)
                out += "}"
            }
            out += "]}"
        case .enumeration(let e):
            guard openNamed(e.name, type: "enum", into: &out, seen: &seen) else { return }
            out += ",\"symbols\":["
            for (i, symbol) in e.symbols.enumerated() {
                if i > 0 { out += "," }
                JSONValue.appendQuoted(symbol, to: &out)
            }
            out += "]}"
        case .fixed(let f):
            guard openNamed(f.name, type: "fixed", into: &out, seen: &seen) else { return }
            out += ",\"size\":\(f.size)}"
        }
    }

    /// Writes `{"name":…,"type":…` for a named type's first occurrence and returns true; for a
    /// later one writes just its quoted full name and returns false.
    static func openNamed(_ name: AvroName, type: String, into out: inout String, seen: inout Set<AvroName>) -> Bool {
        guard seen.insert(name).inserted else {
            JSONValue.appendQuoted(name.fullName, to: &out)
            return false
        }
        out += "{\"name\":"
        JSONValue.appendQuoted(name.fullName, to: &out)
        out += ",\"type\":\"\(type)\""
        return true
    }
}

extension AvroSchema {
    /// This schema's Parsing Canonical Form (see ``AvroCanonicalForm``).
    public var canonicalForm: String { AvroCanonicalForm.canonicalForm(of: self) }

    /// The CRC-64-AVRO (Rabin) fingerprint of this schema's Parsing Canonical Form, the
    /// identifier single-object encoding puts on the wire.
    public var fingerprint: UInt64 { AvroFingerprint.rabin(Array(canonicalForm.utf8)) }
}
