/// Parses schema JSON into ``AvroSchema``, validating it against the Avro specification.
struct AvroSchemaParser {
    let source: String?
    /// Named types defined outside this schema (an ``AvroSchemaSet``), each self-contained.
    let external: [AvroName: AvroSchema]
    /// Complete definitions in this tree so far.
    var defined: [AvroName: AvroSchema] = [:]
    /// Names defined (or being defined: an enclosing record) in this tree so far.
    var definedNames: Set<AvroName> = []

    static func parse(_ json: String, source: String?, external: [AvroName: AvroSchema]) throws(AvroSchemaError) -> AvroSchema {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: json)
        } catch {
            throw AvroSchemaError(error.description, location: "", source: source)
        }
        var parser = AvroSchemaParser(source: source, external: external)
        return try parser.parse(value, namespace: nil, at: "")
    }

    /// `definition` (a named type taken from `tree`) with every type it references from
    /// elsewhere in `tree` inlined, so it stands alone.
    static func standalone(_ definition: AvroSchema, within tree: AvroSchema) -> AvroSchema {
        var seen: Set<AvroName> = []
        return selfContained(definition, table: tree.namedTypes, defined: &seen)
    }

    /// Rewrites `schema` so that, given the names already `defined` before it, each named type
    /// is defined at its first occurrence and referenced afterwards; references to names not
    /// yet defined are replaced by their definition from `table`.
    static func selfContained(_ schema: AvroSchema, table: [AvroName: AvroSchema], defined: inout Set<AvroName>) -> AvroSchema {
        switch schema {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string:
            return schema
        case .array(let items):
            return .array(selfContained(items, table: table, defined: &defined))
        case .map(let values):
            return .map(selfContained(values, table: table, defined: &defined))
        case .union(let branches):
            return .union(branches.map { selfContained($0, table: table, defined: &defined) })
        case .record(var record):
            guard defined.insert(record.name).inserted else { return .reference(record.name) }
            for i in record.fields.indices {
                record.fields[i].type = selfContained(record.fields[i].type, table: table, defined: &defined)
            }
            return .record(record)
        case .enumeration(let e):
            return defined.insert(e.name).inserted ? schema : .reference(e.name)
        case .fixed(let f):
            return defined.insert(f.name).inserted ? schema : .reference(f.name)
        case .logical(let type, let base):
            if let name = base.fullName {
                return defined.insert(name).inserted ? schema : .reference(name)
            }
            return .logical(type, selfContained(base, table: table, defined: &defined))
        case .reference(let name):
            if defined.contains(name) { return schema }
            guard let definition = table[name] else { return schema }
            return selfContained(definition, table: table, defined: &defined)
        }
    }

    func error(_ message: String, at location: String, unknownName: AvroName? = nil) -> AvroSchemaError {
        AvroSchemaError(message, location: location, source: source, unknownName: unknownName)
    }

    static func join(_ location: String, _ component: String) -> String {
        location.isEmpty ? component : (component.hasPrefix("[") ? location + component : location + "." + component)
    }

    mutating func parse(_ json: JSONValue, namespace: String?, at location: String) throws(AvroSchemaError) -> AvroSchema {
        switch json {
        case .string(let name):
            return try resolve(name, namespace: namespace, at: location)
        case .array(let branches):
            return try parseUnion(branches, namespace: namespace, at: location)
        case .object:
            return try parseObject(json, namespace: namespace, at: location)
        default:
            throw error("expected a type name, a schema object or a union array, found \(json.typeName)", at: location)
        }
    }

    mutating func resolve(_ name: String, namespace: String?, at location: String) throws(AvroSchemaError) -> AvroSchema {
        switch name {
        case "null": return .null
        case "boolean": return .boolean
        case "int": return .int
        case "long": return .long
        case "float": return .float
        case "double": return .double
        case "bytes": return .bytes
        case "string": return .string
        default: break
        }
        let candidates = name.contains(".") || namespace == nil ? [AvroName(fullName: name)]
            : [AvroName(name: name, namespace: namespace), AvroName(name: name, namespace: nil)]
        for candidate in candidates where definedNames.contains(candidate) {
            return .reference(candidate)
        }
        for candidate in candidates {
            if let definition = external[candidate] {
                let inlined = AvroSchemaParser.selfContained(definition, table: external, defined: &definedNames)
                defined.merge(inlined.namedTypes) { old, _ in old }
                return inlined
            }
        }
        let shown = candidates.map { "\"\($0.fullName)\"" }.joined(separator: " or ")
        throw error("unknown type name \(shown)", at: location, unknownName: candidates[0])
    }

    mutating func parseUnion(_ branches: [JSONValue], namespace: String?, at location: String) throws(AvroSchemaError) -> AvroSchema {
        var schemas: [AvroSchema] = []
        var seen: [String: Int] = [:]
        for (i, branch) in branches.enumerated() {
            let here = AvroSchemaParser.join(location, "[\(i)]")
            let schema = try parse(branch, namespace: namespace, at: here)
            if case .union = schema { throw error("a union may not directly contain another union", at: here) }
            let key = schema.unionBranchName
            if let previous = seen[key] {
                throw error("union has two branches of type \"\(key)\" (\(previous) and \(i))", at: here)
            }
            seen[key] = i
            schemas.append(schema)
        }
        return .union(schemas)
    }

    mutating func parseObject(_ json: JSONValue, namespace: String?, at location: String) throws(AvroSchemaError) -> AvroSchema {
        guard let typeValue = json["type"] else { throw error("schema object has no \"type\"", at: location) }
        let base: AvroSchema
        switch typeValue {
        case .string(let type):
            switch type {
            case "record", "error":
                return try parseRecord(json, isError: type == "error", namespace: namespace, at: location)
            case "enum":
                return try parseEnum(json, namespace: namespace, at: location)
            case "fixed":
                return try parseFixed(json, namespace: namespace, at: location)
            case "array":
                guard let items = json["items"] else { throw error("array schema has no \"items\"", at: location) }
                return .array(try parse(items, namespace: namespace, at: AvroSchemaParser.join(location, "items")))
            case "map":
                guard let values = json["values"] else { throw error("map schema has no \"values\"", at: location) }
                return .map(try parse(values, namespace: namespace, at: AvroSchemaParser.join(location, "values")))
            default:
                base = try resolve(type, namespace: namespace, at: AvroSchemaParser.join(location, "type"))
            }
        case .object, .array:
            base = try parse(typeValue, namespace: namespace, at: AvroSchemaParser.join(location, "type"))
        default:
            throw error("\"type\" must be a string, object or array, found \(typeValue.typeName)", at: location)
        }
        switch base {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string:
            return try applyLogicalType(json, to: base, at: location)
        default:
            return base
        }
    }

    /// The namespace and full name declared by a named type's `name`/`namespace` attributes.
    func declaredName(_ json: JSONValue, kind: String, enclosing: String?, at location: String) throws(AvroSchemaError) -> AvroName {
        guard case .string(let rawName)? = json["name"] else {
            throw error("\(kind) schema needs a string \"name\"", at: location)
        }
        var namespace = enclosing
        if let ns = json["namespace"] {
            switch ns {
            case .string(let text): namespace = text
            case .null: namespace = nil
            default: throw error("\"namespace\" must be a string", at: location)
            }
        }
        let name = AvroNames.qualify(rawName, in: namespace)
        guard AvroNames.isValidName(name.name) else {
            throw error("invalid name \"\(rawName)\": names start with a letter or _ and contain only letters, digits and _", at: location)
        }
        guard AvroNames.isValidNamespace(name.namespace ?? "") else {
            throw error("invalid namespace \"\(name.namespace ?? "")\"", at: location)
        }
        if name.namespace == nil, AvroNames.primitiveNames.contains(name.name) {
            throw error("\"\(name.name)\" is a primitive type and cannot be redefined", at: location)
        }
        guard !definedNames.contains(name) else { throw error("\(name) is defined twice", at: location) }
        return name
    }

    func aliases(_ json: JSONValue, namespace: String?, at location: String) throws(AvroSchemaError) -> [AvroName] {
        try stringArray(json["aliases"], what: "aliases", at: location).map { alias throws(AvroSchemaError) in
            let name = AvroNames.qualify(alias, in: namespace)
            guard AvroNames.isValidName(name.name), AvroNames.isValidNamespace(name.namespace ?? "") else {
                throw error("invalid alias \"\(alias)\"", at: location)
            }
            return name
        }
    }

    func stringArray(_ json: JSONValue?, what: String, at location: String) throws(AvroSchemaError) -> [String] {
        guard let json else { return [] }
        guard case .array(let elements) = json else { throw error("\"\(what)\" must be an array of strings", at: location) }
        var out: [String] = []
        for element in elements {
            guard case .string(let s) = element else { throw error("\"\(what)\" must be an array of strings", at: location) }
            out.append(s)
        }
        return out
    }

    func doc(_ json: JSONValue, at location: String) throws(AvroSchemaError) -> String? {
        switch json["doc"] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw error("\"doc\" must be a string", at: location)
        }
    }

    mutating func parseRecord(_ json: JSONValue, isError: Bool, namespace: String?, at location: String) throws(AvroSchemaError) -> AvroSchema {
        let name = try declaredName(json, kind: "record", enclosing: namespace, at: location)
        let aliases = try aliases(json, namespace: name.namespace, at: location)
        let doc = try doc(json, at: location)
        guard case .array(let fieldsJSON)? = json["fields"] else {
            throw error("record \(name) needs a \"fields\" array", at: location)
        }
        definedNames.insert(name)
        var fields: [AvroField] = []
        var fieldNames: Set<String> = []
        for (i, fieldJSON) in fieldsJSON.enumerated() {
            let here = AvroSchemaParser.join(location, "fields[\(i)]")
            fields.append(try parseField(fieldJSON, recordNamespace: name.namespace, at: here))
            guard fieldNames.insert(fields[i].name).inserted else {
                throw error("record \(name) has two fields named \"\(fields[i].name)\"", at: here)
            }
        }
        let schema = AvroSchema.record(AvroRecordSchema(name: name, aliases: aliases, doc: doc, fields: fields, isError: isError))
        defined[name] = schema
        return schema
    }

    mutating func parseField(_ json: JSONValue, recordNamespace: String?, at location: String) throws(AvroSchemaError) -> AvroField {
        guard case .object = json else { throw error("a field must be an object", at: location) }
        guard case .string(let name)? = json["name"] else { throw error("field needs a string \"name\"", at: location) }
        guard AvroNames.isValidName(name) else { throw error("invalid field name \"\(name)\"", at: location) }
        guard let typeJSON = json["type"] else { throw error("field \"\(name)\" has no \"type\"", at: location) }
        let type = try parse(typeJSON, namespace: recordNamespace, at: AvroSchemaParser.join(location, "type"))
        var field = AvroField(name: name, type: type, doc: try doc(json, at: location),
                              aliases: try stringArray(json["aliases"], what: "aliases", at: location))
        if let order = json["order"] {
            guard case .string(let text) = order, let parsed = AvroField.Order(rawValue: text) else {
                throw error("field \"\(name)\": \"order\" must be \"ascending\", \"descending\" or \"ignore\"", at: location)
            }
            field.order = parsed
        }
        if let defaultJSON = json["default"] {
            do {
                field.defaultValue = try AvroJSONCoding.value(fromJSON: defaultJSON, schema: type, names: defined, taggedUnions: false)
            } catch {
                throw self.error("invalid default for field \"\(name)\": \(error.message)", at: AvroSchemaParser.join(location, "default"))
            }
            field.defaultJSON = defaultJSON
        }
        return field
    }

    mutating func parseEnum(_ json: JSONValue, namespace: String?, at location: String) throws(AvroSchemaError) -> AvroSchema {
        let name = try declaredName(json, kind: "enum", enclosing: namespace, at: location)
        let aliases = try aliases(json, namespace: name.namespace, at: location)
        guard json["symbols"] != nil else { throw error("enum \(name) needs a \"symbols\" array", at: location) }
        let symbols = try stringArray(json["symbols"], what: "symbols", at: location)
        var seen: Set<String> = []
        for symbol in symbols {
            guard AvroNames.isValidName(symbol) else { throw error("enum \(name): invalid symbol \"\(symbol)\"", at: location) }
            guard seen.insert(symbol).inserted else { throw error("enum \(name): symbol \"\(symbol)\" appears twice", at: location) }
        }
        var defaultSymbol: String?
        if let d = json["default"] {
            guard case .string(let symbol) = d, seen.contains(symbol) else {
                throw error("enum \(name): \"default\" must be one of its symbols", at: location)
            }
            defaultSymbol = symbol
        }
        let schema = AvroSchema.enumeration(AvroEnumSchema(name: name, aliases: aliases, doc: try doc(json, at: location),
                                                           symbols: symbols, defaultSymbol: defaultSymbol))
        definedNames.insert(name)
        defined[name] = schema
        return schema
    }

    mutating func parseFixed(_ json: JSONValue, namespace: String?, at location: String) throws(AvroSchemaError) -> AvroSchema {
        let name = try declaredName(json, kind: "fixed", enclosing: namespace, at: location)
        let aliases = try aliases(json, namespace: name.namespace, at: location)
        guard case .integer(let size)? = json["size"], size >= 0, size <= Int64(Int32.max) else {
            throw error("fixed \(name) needs a non-negative integer \"size\"", at: location)
        }
        let schema = try applyLogicalType(json, to: .fixed(AvroFixedSchema(name: name, aliases: aliases, doc: try doc(json, at: location), size: Int(size))), at: location)
        definedNames.insert(name)
        defined[name] = schema
        return schema
    }

    /// Wraps `base` in the logical type named by `logicalType`, when that annotation is known
    /// and valid for `base`; otherwise returns `base` (the spec says to ignore invalid ones).
    func applyLogicalType(_ json: JSONValue, to base: AvroSchema, at location: String) throws(AvroSchemaError) -> AvroSchema {
        guard case .string(let name)? = json["logicalType"] else { return base }
        let logical: AvroLogicalType?
        switch (name, base) {
        case ("decimal", .bytes), ("decimal", .fixed):
            logical = decimal(json, base: base)
            if case .decimal(let precision, _)? = logical, precision > AvroSchemaParser.maximumDecimalPrecision {
                throw error("decimal precision \(precision) exceeds this implementation's limit of \(AvroSchemaParser.maximumDecimalPrecision) digits", at: location)
            }
        case ("uuid", .string): logical = .uuid
        case ("uuid", .fixed(let f)) where f.size == 16: logical = .uuid
        case ("date", .int): logical = .date
        case ("time-millis", .int): logical = .timeMillis
        case ("time-micros", .long): logical = .timeMicros
        case ("timestamp-millis", .long): logical = .timestampMillis
        case ("timestamp-micros", .long): logical = .timestampMicros
        case ("local-timestamp-millis", .long): logical = .localTimestampMillis
        case ("local-timestamp-micros", .long): logical = .localTimestampMicros
        case ("timestamp-nanos", .long): logical = .timestampNanos
        case ("local-timestamp-nanos", .long): logical = .localTimestampNanos
        default: logical = nil
        }
        return logical.map { .logical($0, base) } ?? base
    }

    /// The largest decimal precision accepted (the spec sets none for `bytes`; without one, a
    /// schema could make every decimal cost its precision in time and memory).
    static let maximumDecimalPrecision = 4096

    func decimal(_ json: JSONValue, base: AvroSchema) -> AvroLogicalType? {
        guard case .integer(let precision)? = json["precision"], precision > 0 else { return nil }
        var scale: Int64 = 0
        if let s = json["scale"] {
            guard case .integer(let value) = s, value >= 0 else { return nil }
            scale = value
        }
        guard scale <= precision else { return nil }
        if case .fixed(let f) = base {
            // Largest precision a two's-complement integer of `size` bytes can hold:
            // floor(log10(2^(8·size−1) − 1)) ≈ floor((8·size − 1)·log10 2).
            let maximum = f.size == 0 ? 0 : Int((Double(8 * f.size - 1) * 0.30102999566398119521).rounded(.down))
            guard precision <= Int64(maximum) else { return nil }
        }
        return .decimal(precision: Int(precision), scale: Int(scale))
    }
}
