/// Compiles a writer/reader schema pair into a ``ResolutionPlan`` (see
/// ``AvroResolvingDecoder`` for the rules), reporting incompatibilities with their path.
struct ResolutionCompiler {
    let writerNames: [AvroName: AvroSchema]
    let readerNames: [AvroName: AvroSchema]
    /// Compiled record resolutions; `.record(i)` plans refer to them by index (an array
    /// lookup per record while decoding, not a hash of two names).
    var recordPlans: [RecordPlan] = []
    /// The index of each (writer, reader) record pair's plan, assigned before its fields are
    /// compiled so recursive records refer to themselves.
    var recordIndexes: [RecordKey: Int] = [:]

    init(writerNames: [AvroName: AvroSchema], readerNames: [AvroName: AvroSchema]) {
        self.writerNames = writerNames
        self.readerNames = readerNames
    }

    func dereference(_ schema: AvroSchema, _ names: [AvroName: AvroSchema], side: String) throws(AvroResolutionError) -> AvroSchema {
        guard case .reference(let name) = schema else { return schema }
        guard let definition = names[name] else { throw AvroResolutionError("\(side) schema references undefined type \(name)") }
        return definition
    }

    /// Whether a reader's named type accepts a writer's name: same full name, same
    /// unqualified name, or one of the reader's aliases.
    static func namesMatch(writer: AvroName, reader: AvroName, readerAliases: [AvroName]) -> Bool {
        writer == reader || writer.name == reader.name || readerAliases.contains(writer)
    }

    static func describe(_ schema: AvroSchema) -> String {
        schema.fullName.map { "\(schema.typeName) \($0)" } ?? schema.typeName
    }

    mutating func compile(writer: AvroSchema, reader: AvroSchema) throws(AvroResolutionError) -> ResolutionPlan {
        let writer = try dereference(writer, writerNames, side: "writer")
        let reader = try dereference(reader, readerNames, side: "reader")

        // Logical types: the reader's annotation decides what comes out.
        if case .logical(let readerType, let readerBase) = reader {
            if case .logical(.decimal(_, let writerScale), _) = writer, case .decimal(_, let readerScale) = readerType,
               writerScale != readerScale {
                throw AvroResolutionError("decimal scale \(writerScale) was written, the reader expects scale \(readerScale)")
            }
            return .logical(readerType, try compile(writer: writer.withoutLogicalType, reader: readerBase))
        }
        if case .logical(_, let writerBase) = writer { return try compile(writer: writerBase, reader: reader) }

        if case .union(let writerBranches) = writer {
            var branches: [BranchPlan] = []
            var firstError: AvroResolutionError?
            for branch in writerBranches {
                do {
                    branches.append(.resolved(try compile(writer: branch, reader: reader)))
                } catch {
                    branches.append(.unresolvable(error.description))
                    if firstError == nil { firstError = error }
                }
            }
            if let firstError, !branches.contains(where: { if case .resolved = $0 { true } else { false } }) {
                throw firstError
            }
            return .writerUnion(branches)
        }
        if case .union(let readerBranches) = reader {
            guard let index = try matchingBranch(for: writer, in: readerBranches) else {
                throw AvroResolutionError("the writer's \(Self.describe(writer)) matches no branch of the reader's union [\(readerBranches.map(\.unionBranchName).joined(separator: ", "))]")
            }
            return .readerUnion(index, try compile(writer: writer, reader: readerBranches[index]))
        }

        switch (writer, reader) {
        case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
             (.bytes, .bytes), (.string, .string):
            return .primitive(writer)
        case (.int, .long): return .intAsLong
        case (.int, .float): return .intAsFloat
        case (.int, .double): return .intAsDouble
        case (.long, .float): return .longAsFloat
        case (.long, .double): return .longAsDouble
        case (.float, .double): return .floatAsDouble
        case (.string, .bytes): return .stringAsBytes
        case (.bytes, .string): return .bytesAsString
        case (.array(let w), .array(let r)):
            do { return .array(try compile(writer: w, reader: r)) } catch { throw error.prefixed(with: "[]") }
        case (.map(let w), .map(let r)):
            do { return .map(try compile(writer: w, reader: r)) } catch { throw error.prefixed(with: "[]") }
        case (.fixed(let w), .fixed(let r)):
            guard Self.namesMatch(writer: w.name, reader: r.name, readerAliases: r.aliases) else {
                throw AvroResolutionError("fixed \(w.name) was written, the reader expects fixed \(r.name)")
            }
            guard w.size == r.size else {
                throw AvroResolutionError("fixed \(r.name): \(w.size) bytes were written, the reader expects \(r.size)")
            }
            return .fixed(r.size)
        case (.enumeration(let w), .enumeration(let r)):
            guard Self.namesMatch(writer: w.name, reader: r.name, readerAliases: r.aliases) else {
                throw AvroResolutionError("enum \(w.name) was written, the reader expects enum \(r.name)")
            }
            return .enumeration(w.symbols.map { symbol in
                if let ordinal = r.symbols.firstIndex(of: symbol) { return .symbol(symbol, ordinal: ordinal) }
                if let fallback = r.defaultSymbol, let ordinal = r.symbols.firstIndex(of: fallback) {
                    return .symbol(fallback, ordinal: ordinal)
                }
                return .unknown(symbol)
            })
        case (.record(let w), .record(let r)):
            guard Self.namesMatch(writer: w.name, reader: r.name, readerAliases: r.aliases) else {
                throw AvroResolutionError("record \(w.name) was written, the reader expects record \(r.name)")
            }
            let key = RecordKey(writer: w.name, reader: r.name)
            if let index = recordIndexes[key] { return .record(index) }
            let index = recordPlans.count
            recordIndexes[key] = index
            recordPlans.append(RecordPlan(steps: [], defaults: [:], readerFieldCount: 0, defaultEncodings: [:]))
            recordPlans[index] = try compileRecord(writer: w, reader: r)
            return .record(index)
        default:
            throw AvroResolutionError("the writer's \(Self.describe(writer)) cannot be read as \(Self.describe(reader))")
        }
    }

    mutating func compileRecord(writer: AvroRecordSchema, reader: AvroRecordSchema) throws(AvroResolutionError) -> RecordPlan {
        var steps: [RecordPlan.Step] = []
        var matched: Set<String> = []
        for writerField in writer.fields {
            if let readerIndex = reader.fields.firstIndex(where: { $0.name == writerField.name })
                ?? reader.fields.firstIndex(where: { $0.aliases.contains(writerField.name) }) {
                let readerField = reader.fields[readerIndex]
                matched.insert(readerField.name)
                do {
                    steps.append(.read(readerField.name, readerIndex: readerIndex, try compile(writer: writerField.type, reader: readerField.type)))
                } catch {
                    throw error.prefixed(with: readerField.name)
                }
            } else {
                steps.append(.skip(writerField.name, writerField.type))
            }
        }
        var defaults: [String: AvroValue] = [:]
        var defaultEncodings: [Int: [UInt8]] = [:]
        for (index, readerField) in reader.fields.enumerated() where !matched.contains(readerField.name) {
            guard let defaultValue = readerField.defaultValue else {
                throw AvroResolutionError("field \"\(readerField.name)\" of record \(reader.name) was not written and has no default")
            }
            defaults[readerField.name] = defaultValue
            do {
                defaultEncodings[index] = try AvroBinaryEncoder(schema: readerField.type, names: readerNames).encode(defaultValue)
            } catch {
                throw AvroResolutionError("the default of field \"\(readerField.name)\" cannot be encoded: \(error.message)")
            }
        }
        return RecordPlan(steps: steps, defaults: defaults, readerFieldCount: reader.fields.count, defaultEncodings: defaultEncodings)
    }

    /// The first reader union branch for a writer type: an exact match (same primitive, same
    /// named type by name, any array/map) first, then one the writer's type promotes to.
    func matchingBranch(for writer: AvroSchema, in branches: [AvroSchema]) throws(AvroResolutionError) -> Int? {
        var readers: [AvroSchema] = []
        for branch in branches { readers.append(try dereference(branch, readerNames, side: "reader").withoutLogicalType) }
        let w = writer.withoutLogicalType
        // A named type with the same full name first (a union may hold a.X and b.X).
        if let name = w.fullName, let i = readers.firstIndex(where: { $0.fullName == name && $0.typeName == w.typeName }) {
            return i
        }
        for (i, r) in readers.enumerated() {
            switch (w, r) {
            case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
                 (.bytes, .bytes), (.string, .string), (.array, .array), (.map, .map):
                return i
            case (.record(let a), .record(let b)) where Self.namesMatch(writer: a.name, reader: b.name, readerAliases: b.aliases):
                return i
            case (.enumeration(let a), .enumeration(let b)) where Self.namesMatch(writer: a.name, reader: b.name, readerAliases: b.aliases):
                return i
            case (.fixed(let a), .fixed(let b)) where Self.namesMatch(writer: a.name, reader: b.name, readerAliases: b.aliases) && a.size == b.size:
                return i
            default: continue
            }
        }
        for (i, r) in readers.enumerated() {
            switch (w, r) {
            case (.int, .long), (.int, .float), (.int, .double), (.long, .float), (.long, .double), (.float, .double),
                 (.string, .bytes), (.bytes, .string):
                return i
            default: continue
            }
        }
        return nil
    }
}
