import Avro

/// Writes the Swift declaration of one Avro record: a struct with one stored property per
/// field, a memberwise initializer with the schema's defaults, the union enums its fields
/// need, and its conformance to `Avro.AvroCodable`.
struct RecordEmitter {
    let record: AvroRecordSchema
    let swiftName: String
    /// The record's schema as a self-contained tree (what `avroSchema` returns).
    let standaloneSchema: AvroSchema
    let fingerprint: UInt64
    let mapper: TypeMapper
    /// Swift case names of every generated enum, by enum type name then Avro symbol.
    let enumCases: [String: [String: String]]
    /// True for a record that can contain itself: its decoder counts nesting depth.
    let guardsNesting: Bool

    struct Field {
        var avro: AvroField
        var property: String
        var type: SwiftTypeRef
        var defaultExpression: String?
    }

    func emit() throws(AvroCodegenError) -> [String] {
        var scope = TypeMapper.Scope()
        var fields: [Field] = []
        for field in record.fields {
            let type = try mapper.map(field.type, baseName: SwiftNames.typeName(field.name), scope: &scope,
                                      location: "\(record.name.fullName).\(field.name)")
            let defaultExpression = field.defaultValue.flatMap {
                DefaultLiteral.expression($0, type: type, enums: enumCases)
            }
            fields.append(Field(avro: field, property: SwiftNames.identifier(field.name), type: type,
                                defaultExpression: defaultExpression))
        }

        var lines = SwiftNames.docComment(record.doc, indent: "")
        if record.doc != nil { lines.append("///") }
        lines.append("/// Avro record `\(record.name.fullName)`, generated from its schema: do not edit.")
        lines.append("public struct \(swiftName): Swift.Sendable, Swift.Hashable {")
        for field in fields {
            lines += SwiftNames.docComment(field.avro.doc ?? "The `\(field.avro.name)` field.", indent: "    ")
            lines.append("    public var \(field.property): \(field.type.swiftType)")
        }
        lines.append("")
        lines += initializer(fields)
        for union in scope.unions {
            lines.append("")
            lines += CodecEmitter.indent(UnionEmitter(union: union, throwingEncoders: mapper.throwingEncoders).emit())
        }
        lines.append("}")
        lines.append("")
        lines += conformance(fields)
        return lines
    }

    private func initializer(_ fields: [Field]) -> [String] {
        var lines = ["    /// Memberwise initializer; parameters of fields with a default in the schema default to it."]
        let parameters = fields.map { field in
            let label = field.avro.name
            let base = "\(SwiftNames.identifier(label)): \(field.type.swiftType)"
            if let value = field.defaultExpression { return base + " = " + value }
            if field.type.isOptional { return base + " = nil" }
            return base
        }
        if parameters.isEmpty {
            lines.append("    public init() {}")
            return lines
        }
        lines.append("    public init(")
        lines += parameters.enumerated().map { index, parameter in
            "        " + parameter + (index == parameters.count - 1 ? "" : ",")
        }
        lines.append("    ) {")
        for field in fields {
            lines.append("        self.\(field.property) = \(field.property)")
        }
        lines.append("    }")
        return lines
    }

    private func conformance(_ fields: [Field]) -> [String] {
        var lines = ["extension \(swiftName): Avro.AvroCodable {"]
        lines += CodecEmitter.indent(TypeEmitterSupport.schemaMembers(standaloneSchema, fingerprint: fingerprint))
        lines.append("")
        let throwing = mapper.throwingEncoders
        lines.append("    /// Writes this record's Avro binary encoding (its fields in schema order).")
        if throwing.contains(swiftName) {
            lines.append("    /// Throws for a decimal the schema cannot hold exactly (too large, or needing rounding);")
            lines.append("    /// the error's path names the field.")
        }
        lines.append("    @inlinable")
        lines.append("    public func encode(to writer: inout Avro.AvroWriter)\(throwing.contains(swiftName) ? " " + CodecEmitter.encodeThrowsClause : "") {")
        for field in fields {
            let statements = CodecEmitter.encode(field.type, value: "self.\(field.property)", writer: "writer", depth: 0, throwing: throwing)
            if field.type.encodeThrows(throwing) {
                lines.append("        do {")
                lines += CodecEmitter.indent(statements, by: "            ")
                lines.append("        } catch { throw error.prefixed(with: \(SwiftNames.stringLiteral(field.avro.name))) }")
            } else {
                lines += CodecEmitter.indent(statements, by: "        ")
            }
        }
        lines.append("    }")
        lines.append("")
        lines.append("    /// Reads a record written with exactly ``avroSchema``; errors name the failing field.")
        lines.append("    /// Data written with another version of the schema goes through `Avro`'s schema resolution.")
        lines.append("    @inlinable")
        lines.append("    public init(from reader: inout Avro.AvroReader) throws(Avro.AvroDecodingError) {")
        if guardsNesting {
            lines.append("        try reader.enterNested()")
            lines.append("        defer { reader.leaveNested() }")
        }
        for field in fields {
            let expression = CodecEmitter.decode(field.type, reader: "reader", depth: 0)
            if expression.hasPrefix("try") {
                lines.append("        do { self.\(field.property) = \(expression) } catch { throw error.prefixed(with: \(SwiftNames.stringLiteral(field.avro.name))) }")
            } else {
                lines.append("        self.\(field.property) = \(expression)")
            }
        }
        lines.append("    }")
        lines.append("}")
        return lines
    }
}

/// Members every generated type shares.
enum TypeEmitterSupport {
    /// `avroSchema` and `avroFingerprint`.
    static func schemaMembers(_ schema: AvroSchema, fingerprint: UInt64) -> [String] {
        [
            "/// The schema this type was generated from, with every referenced type inlined.",
            "public static let avroSchema: Avro.AvroSchema = \(SchemaLiteral.schema(schema))",
            "",
            "/// CRC-64-AVRO fingerprint of the Parsing Canonical Form of ``avroSchema``",
            "/// (what single-object encoding puts in its header).",
            "public static let avroFingerprint: Swift.UInt64 = 0x\(hex(fingerprint))",
        ]
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
