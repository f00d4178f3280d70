import Avro

/// Writes the Swift enum of an Avro enum: one case per symbol (raw value = the symbol),
/// encoded as the symbol's ordinal.
struct EnumEmitter {
    let schema: AvroEnumSchema
    let swiftName: String
    let standaloneSchema: AvroSchema
    let fingerprint: UInt64

    /// Swift case names by Avro symbol (`BUSINESS_FAILURE` → `businessFailure`); a symbol whose
    /// camel-cased name would collide with another's keeps its own spelling.
    static func caseNames(_ symbols: [String]) -> [String: String] {
        var result: [String: String] = [:]
        var used: Set<String> = []
        for symbol in symbols {
            var name = SwiftNames.caseName(symbol)
            if used.contains(name) { name = SwiftNames.identifier(symbol) }
            used.insert(name)
            result[symbol] = name
        }
        return result
    }

    func emit() -> [String] {
        let cases = Self.caseNames(schema.symbols)
        var lines = SwiftNames.docComment(schema.doc, indent: "")
        if schema.doc != nil { lines.append("///") }
        lines.append("/// Avro enum `\(schema.name.fullName)`, generated from its schema: do not edit.")
        if let defaultSymbol = schema.defaultSymbol {
            lines.append("/// Readers that meet a symbol they do not know read `\(defaultSymbol)`.")
        }
        lines.append("public enum \(swiftName): Swift.String, Swift.Sendable, Swift.Hashable, Swift.CaseIterable {")
        for symbol in schema.symbols {
            lines.append("    /// The symbol `\(symbol)`.")
            lines.append("    case \(cases[symbol] ?? symbol) = \(SwiftNames.stringLiteral(symbol))")
        }
        lines.append("}")
        lines.append("")
        lines.append("extension \(swiftName): Avro.AvroCodable {")
        lines += CodecEmitter.indent(TypeEmitterSupport.schemaMembers(standaloneSchema, fingerprint: fingerprint))
        lines.append("")
        lines.append("    /// The symbol's index in the schema: what is written on the wire.")
        lines.append("    @inlinable")
        lines.append("    public var avroOrdinal: Swift.Int {")
        lines.append("        switch self {")
        for (index, symbol) in schema.symbols.enumerated() {
            lines.append("        case .\(cases[symbol] ?? symbol): \(index)")
        }
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    /// Writes the symbol's ordinal.")
        lines.append("    @inlinable")
        lines.append("    public func encode(to writer: inout Avro.AvroWriter) {")
        lines.append("        writer.writeEnumOrdinal(avroOrdinal)")
        lines.append("    }")
        lines.append("")
        lines.append("    /// Reads an ordinal; one outside the symbols is an error.")
        lines.append("    @inlinable")
        lines.append("    public init(from reader: inout Avro.AvroReader) throws(Avro.AvroDecodingError) {")
        lines.append("        let start = reader.offset")
        lines.append("        switch try reader.readEnumOrdinal(symbolCount: \(schema.symbols.count)) {")
        for (index, symbol) in schema.symbols.enumerated() {
            lines.append("        case \(index): self = .\(cases[symbol] ?? symbol)")
        }
        lines.append("        case let ordinal:")
        lines.append("            throw Avro.AvroDecodingError(.enumOrdinalOutOfRange(ordinal: Swift.Int64(ordinal), symbolCount: \(schema.symbols.count)), offset: start)")
        lines.append("        }")
        lines.append("    }")
        lines.append("}")
        return lines
    }
}

/// Writes the Swift struct of an Avro fixed: exactly `size` bytes, checked on creation, so
/// encoding never meets a wrong length.
struct FixedEmitter {
    let schema: AvroFixedSchema
    let swiftName: String
    let standaloneSchema: AvroSchema
    let fingerprint: UInt64

    func emit() -> [String] {
        var lines = SwiftNames.docComment(schema.doc, indent: "")
        if schema.doc != nil { lines.append("///") }
        lines.append("/// Avro fixed `\(schema.name.fullName)` of \(schema.size) bytes, generated from its schema: do not edit.")
        lines += [
            "public struct \(swiftName): Swift.Sendable, Swift.Hashable {",
            "    /// Number of bytes of every value.",
            "    public static let size = \(schema.size)",
            "    /// The bytes; always exactly ``size`` of them.",
            "    public let bytes: [Swift.UInt8]",
            "",
            "    /// Wraps `bytes`; throws unless there are exactly ``size`` of them.",
            "    public init(_ bytes: [Swift.UInt8]) throws(Avro.AvroEncodingError) {",
            "        guard bytes.count == \(schema.size) else {",
            "            throw Avro.AvroEncodingError(\"\(schema.name.fullName) needs \(schema.size) bytes, got \\(bytes.count)\")",
            "        }",
            "        self.bytes = bytes",
            "    }",
            "",
            "    @usableFromInline",
            "    init(checked bytes: [Swift.UInt8]) {",
            "        self.bytes = bytes",
            "    }",
            "}",
            "",
            "extension \(swiftName): Avro.AvroCodable {",
        ]
        lines += CodecEmitter.indent(TypeEmitterSupport.schemaMembers(standaloneSchema, fingerprint: fingerprint))
        lines += [
            "",
            "    /// Writes the bytes.",
            "    @inlinable",
            "    public func encode(to writer: inout Avro.AvroWriter) {",
            "        writer.writeFixed(bytes)",
            "    }",
            "",
            "    /// Reads exactly ``size`` bytes.",
            "    @inlinable",
            "    public init(from reader: inout Avro.AvroReader) throws(Avro.AvroDecodingError) {",
            "        self.init(checked: try reader.readFixed(size: \(schema.size)))",
            "    }",
            "}",
        ]
        return lines
    }
}
