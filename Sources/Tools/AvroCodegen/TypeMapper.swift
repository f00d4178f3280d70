import Avro

/// A schema the generator cannot turn into Swift, with where it is.
public struct AvroCodegenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The schema file or type it concerns.
    public var location: String

    /// Creates an error.
    public init(_ message: String, location: String) {
        self.message = message
        self.location = location
    }

    public var description: String { "avro-codegen: \(location): \(message)" }
}

/// Maps Avro schemas to ``SwiftTypeRef``s, naming the union enums it has to create.
struct TypeMapper {
    /// The Swift shape of every named type, by full name.
    let namedTypes: [AvroName: SwiftTypeRef]
    /// Swift names that nested union enums must not take (they would shadow a top-level type).
    let reservedNames: Set<String>
    /// Swift names of the generated types whose `encode(to:)` throws (records holding a
    /// decimal, directly or through other records).
    let throwingEncoders: Set<String>

    /// Collects the union enums created while mapping one record (or one top-level union).
    struct Scope {
        var unions: [UnionDeclaration] = []
        var usedNames: Set<String> = []

        /// A fresh nested type name based on `base`.
        mutating func claim(_ base: String, avoiding reserved: Set<String>) -> String {
            var name = base
            if reserved.contains(name) || usedNames.contains(name) { name = base + "Union" }
            var counter = 2
            while reserved.contains(name) || usedNames.contains(name) {
                name = base + "Union\(counter)"
                counter += 1
            }
            usedNames.insert(name)
            return name
        }
    }

    /// The Swift shape of `schema`; unions become enums named after `baseName` in `scope`.
    func map(_ schema: AvroSchema, baseName: String, scope: inout Scope, location: String) throws(AvroCodegenError) -> SwiftTypeRef {
        switch schema {
        case .null: return .null
        case .boolean: return .boolean
        case .int: return .int
        case .long: return .long
        case .float: return .float
        case .double: return .double
        case .bytes: return .bytes
        case .string: return .string
        case .array(let items):
            return .array(try map(items, baseName: baseName + "Item", scope: &scope, location: location + "[]"))
        case .map(let values):
            return .map(try map(values, baseName: baseName + "Value", scope: &scope, location: location + "{}"))
        case .record(let r): return try named(r.name, location: location)
        case .enumeration(let e): return try named(e.name, location: location)
        case .fixed(let f): return try named(f.name, location: location)
        case .reference(let name): return try named(name, location: location)
        case .logical(let logical, let base):
            return try mapLogical(logical, base: base, baseName: baseName, scope: &scope, location: location)
        case .union(let branches):
            return try mapUnion(branches, baseName: baseName, scope: &scope, location: location)
        }
    }

    private func named(_ name: AvroName, location: String) throws(AvroCodegenError) -> SwiftTypeRef {
        guard let type = namedTypes[name] else {
            throw AvroCodegenError("unknown named type \(name.fullName)", location: location)
        }
        return type
    }

    private func mapLogical(_ logical: AvroLogicalType, base: AvroSchema, baseName: String, scope: inout Scope,
                            location: String) throws(AvroCodegenError) -> SwiftTypeRef {
        switch (logical, base) {
        case (.uuid, .string): return .uuid
        case (.timestampMillis, _): return .timestamp(micros: false)
        case (.timestampMicros, _): return .timestamp(micros: true)
        case (.decimal(let precision, let scale), .bytes): return .decimal(precision: precision, scale: scale, fixedSize: nil)
        case (.decimal(let precision, let scale), .fixed(let f)): return .decimal(precision: precision, scale: scale, fixedSize: f.size)
        default:
            // date, time-*, local-timestamp-*, timestamp-nanos: the underlying int/long count
            // (see the README's type table); uuid on fixed: the fixed type.
            return try map(base, baseName: baseName, scope: &scope, location: location)
        }
    }

    private func mapUnion(_ branches: [AvroSchema], baseName: String, scope: inout Scope,
                          location: String) throws(AvroCodegenError) -> SwiftTypeRef {
        let nullIndex = branches.firstIndex(of: .null)
        let others = branches.enumerated().filter { $0.element != .null }
        if others.isEmpty { return .null }
        if let nullIndex, others.count == 1, let only = others.first {
            let wrapped = try map(only.element, baseName: baseName, scope: &scope, location: location)
            return .optional(wrapped, nullIndex: nullIndex)
        }
        let name = scope.claim(baseName, avoiding: reservedNames)
        var cases: [UnionDeclaration.Branch] = []
        var caseNames: Set<String> = []
        for (index, branch) in others {
            let type = try map(branch, baseName: name + SwiftNames.typeName(branchWord(branch)), scope: &scope,
                               location: location + "|\(index)")
            var caseName = SwiftNames.identifier(type.caseWord)
            if caseNames.contains(caseName) { caseName = SwiftNames.identifier(type.caseWord + "\(index)") }
            caseNames.insert(caseName)
            cases.append(.init(caseName: caseName, index: index, type: type))
        }
        let declaration = UnionDeclaration(swiftName: name, branches: cases, nullIndex: nullIndex, branchCount: branches.count)
        scope.unions.append(declaration)
        return .union(declaration)
    }

    /// A word for a branch, to name types nested in it (`array`, `map`, …).
    private func branchWord(_ schema: AvroSchema) -> String {
        schema.fullName?.name ?? schema.typeName
    }
}
