extension AvroSchema {
    /// This schema as `.avsc` JSON, keeping everything the parser keeps (docs, aliases,
    /// defaults, field order attributes, logical types). Names are written as full names,
    /// so the text parses back to an equal schema wherever it is embedded.
    public var json: JSONValue {
        switch self {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string:
            return .string(typeName)
        case .reference(let name):
            return .string(name.fullName)
        case .array(let items):
            return .object([("type", .string("array")), ("items", items.json)])
        case .map(let values):
            return .object([("type", .string("map")), ("values", values.json)])
        case .union(let branches):
            return .array(branches.map(\.json))
        case .record(let record):
            var members: [(key: String, value: JSONValue)] = [
                ("type", .string(record.isError ? "error" : "record")), ("name", .string(record.name.fullName)),
            ]
            Self.appendNamedAttributes(doc: record.doc, aliases: record.aliases, to: &members)
            members.append(("fields", .array(record.fields.map(\.json))))
            return .object(members)
        case .enumeration(let e):
            var members: [(key: String, value: JSONValue)] = [("type", .string("enum")), ("name", .string(e.name.fullName))]
            Self.appendNamedAttributes(doc: e.doc, aliases: e.aliases, to: &members)
            members.append(("symbols", .array(e.symbols.map(JSONValue.string))))
            if let d = e.defaultSymbol { members.append(("default", .string(d))) }
            return .object(members)
        case .fixed(let f):
            var members: [(key: String, value: JSONValue)] = [("type", .string("fixed")), ("name", .string(f.name.fullName))]
            Self.appendNamedAttributes(doc: f.doc, aliases: f.aliases, to: &members)
            members.append(("size", .integer(Int64(f.size))))
            return .object(members)
        case .logical(let type, let base):
            var members: [(key: String, value: JSONValue)]
            if case .object(let baseMembers) = base.json { members = baseMembers } else { members = [("type", base.json)] }
            members.append(("logicalType", .string(type.name)))
            if case .decimal(let precision, let scale) = type {
                members.append(("precision", .integer(Int64(precision))))
                members.append(("scale", .integer(Int64(scale))))
            }
            return .object(members)
        }
    }

    /// This schema as compact `.avsc` JSON text (see ``json``).
    public var jsonText: String { json.serialized }

    static func appendNamedAttributes(doc: String?, aliases: [AvroName], to members: inout [(key: String, value: JSONValue)]) {
        if let doc { members.append(("doc", .string(doc))) }
        if !aliases.isEmpty { members.append(("aliases", .array(aliases.map { .string($0.fullName) }))) }
    }
}

extension AvroField {
    /// This field as `.avsc` JSON.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("name", .string(name)), ("type", type.json)]
        if let doc { members.append(("doc", .string(doc))) }
        if let defaultJSON { members.append(("default", defaultJSON)) }
        if order != .ascending { members.append(("order", .string(order.rawValue))) }
        if !aliases.isEmpty { members.append(("aliases", .array(aliases.map(JSONValue.string)))) }
        return .object(members)
    }
}
