/// Writes the Swift enum of a union that is more than an optional: one case with an
/// associated value per non-null branch. When the union has a `null` branch the field's
/// type is `Enum?`, and `encodeOptional`/`decodeOptional` handle the null branch.
struct UnionEmitter {
    let union: UnionDeclaration
    /// Generated types whose `encode(to:)` throws.
    let throwingEncoders: Set<String>

    func emit() -> [String] {
        var lines = ["/// An Avro union: one case per branch (`nil` stands for the `null` branch where there is one)."]
        lines.append("public enum \(union.swiftName): Swift.Sendable, Swift.Hashable {")
        for branch in union.branches {
            lines.append("    /// Branch \(branch.index) of the union.")
            lines.append("    case \(branch.caseName)(\(branch.type.swiftType))")
        }
        let throwsClause = SwiftTypeRef.union(union).encodeThrows(throwingEncoders) ? " " + CodecEmitter.encodeThrowsClause : ""
        lines.append("")
        lines.append("    /// Writes the branch index, then the value.")
        lines.append("    @inlinable")
        lines.append("    public func encode(to writer: inout Avro.AvroWriter)\(throwsClause) {")
        lines.append("        switch self {")
        for branch in union.branches {
            lines.append("        case .\(branch.caseName)(let value):")
            lines.append("            writer.writeUnionIndex(\(branch.index))")
            lines += CodecEmitter.indent(CodecEmitter.encode(branch.type, value: "value", writer: "writer", depth: 0,
                                                             throwing: throwingEncoders),
                                         by: "            ")
        }
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    /// Reads the value of branch `avroBranch` (its index already read).")
        lines.append("    @inlinable")
        lines.append("    public init(avroBranch: Swift.Int, from reader: inout Avro.AvroReader) throws(Avro.AvroDecodingError) {")
        lines.append("        switch avroBranch {")
        for branch in union.branches {
            lines.append("        case \(branch.index): self = .\(branch.caseName)(\(CodecEmitter.decode(branch.type, reader: "reader", depth: 0)))")
        }
        lines.append("        default:")
        lines.append("            throw Avro.AvroDecodingError(.unionIndexOutOfRange(index: Swift.Int64(avroBranch), branchCount: \(union.branchCount)), offset: reader.offset)")
        lines.append("        }")
        lines.append("    }")
        if let nullIndex = union.nullIndex {
            lines.append("")
            lines.append("    /// Writes `value`, or the `null` branch for nil.")
            lines.append("    @inlinable")
            lines.append("    public static func encodeOptional(_ value: \(union.swiftName)?, to writer: inout Avro.AvroWriter)\(throwsClause) {")
            lines.append("        if let value { \(throwsClause.isEmpty ? "" : "try ")value.encode(to: &writer) } else { writer.writeUnionIndex(\(nullIndex)) }")
            lines.append("    }")
            lines.append("")
            lines.append("    /// Reads a branch index and its value; nil for the `null` branch.")
            lines.append("    @inlinable")
            lines.append("    public static func decodeOptional(from reader: inout Avro.AvroReader) throws(Avro.AvroDecodingError) -> \(union.swiftName)? {")
            lines.append("        let branch = try reader.readUnionIndex(branchCount: \(union.branchCount))")
            lines.append("        if branch == \(nullIndex) { return nil }")
            lines.append("        return try \(union.swiftName)(avroBranch: branch, from: &reader)")
            lines.append("    }")
        } else {
            lines.append("")
            lines.append("    /// Reads a branch index and its value.")
            lines.append("    @inlinable")
            lines.append("    public init(from reader: inout Avro.AvroReader) throws(Avro.AvroDecodingError) {")
            lines.append("        try self.init(avroBranch: reader.readUnionIndex(branchCount: \(union.branchCount)), from: &reader)")
            lines.append("    }")
        }
        lines.append("}")
        return lines
    }
}
