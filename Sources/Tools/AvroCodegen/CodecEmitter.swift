/// Writes the Swift statements and expressions that encode and decode one value of a
/// ``SwiftTypeRef`` with the Avro module's `AvroWriter` and `AvroReader`.
///
/// Nested collections get closures whose parameters are numbered by depth (`w1`, `v1`,
/// `r1`, …) so inner names never shadow outer ones.
enum CodecEmitter {
    static let readerType = "Avro.AvroReader"
    static let throwsClause = "throws(Avro.AvroDecodingError)"
    static let encodeThrowsClause = "throws(Avro.AvroEncodingError)"

    /// Statements writing `value` (a Swift expression) to `writer` (an `inout AvroWriter`).
    /// Statements that can throw (decimals, and types in `throwing` holding them) start
    /// with `try`; collections of those get closures declared `throws(AvroEncodingError)`.
    static func encode(_ type: SwiftTypeRef, value: String, writer: String, depth: Int, throwing: Set<String>) -> [String] {
        let w = "w\(depth + 1)", v = "v\(depth + 1)"
        let throwsHere = type.encodeThrows(throwing)
        let attempt = throwsHere ? "try " : ""
        func closure(_ element: SwiftTypeRef) -> String {
            throwsHere ? "{ (\(w): inout Avro.AvroWriter, \(v): \(element.swiftType)) \(encodeThrowsClause) in" : "{ \(w), \(v) in"
        }
        func inner(_ element: SwiftTypeRef, writer: String) -> [String] {
            encode(element, value: v, writer: writer, depth: depth + 1, throwing: throwing)
        }
        switch type {
        case .null: return []
        case .boolean: return ["\(writer).writeBoolean(\(value))"]
        case .int: return ["\(writer).writeInt(\(value))"]
        case .long: return ["\(writer).writeLong(\(value))"]
        case .float: return ["\(writer).writeFloat(\(value))"]
        case .double: return ["\(writer).writeDouble(\(value))"]
        case .bytes: return ["\(writer).writeBytes(\(value))"]
        case .string: return ["\(writer).writeString(\(value))"]
        case .uuid: return ["\(writer).writeUUID(\(value))"]
        case .timestamp(let micros):
            return ["\(writer).writeTimestamp\(micros ? "Micros" : "Millis")(\(value))"]
        case .decimal(let precision, let scale, let fixedSize):
            if let fixedSize {
                return ["try \(writer).writeDecimal(\(value), precision: \(precision), scale: \(scale), fixedSize: \(fixedSize))"]
            }
            return ["try \(writer).writeDecimal(\(value), precision: \(precision), scale: \(scale))"]
        case .named: return ["\(attempt)\(value).encode(to: &\(writer))"]
        case .array(let items):
            return ["\(attempt)\(writer).writeArray(\(value)) \(closure(items))"] + indent(inner(items, writer: w)) + ["}"]
        case .map(let values):
            return ["\(attempt)\(writer).writeMap(\(value)) \(closure(values))"] + indent(inner(values, writer: w)) + ["}"]
        case .optional(let wrapped, let nullIndex):
            if nullIndex == 0 {
                return ["\(attempt)\(writer).writeOptional(\(value)) \(closure(wrapped))"] + indent(inner(wrapped, writer: w)) + ["}"]
            }
            return ["if let \(v) = \(value) {", "    \(writer).writeUnionIndex(\(1 - nullIndex))"]
                + indent(inner(wrapped, writer: writer))
                + ["} else {", "    \(writer).writeUnionIndex(\(nullIndex))", "}"]
        case .union(let u):
            if u.nullIndex == nil { return ["\(attempt)\(value).encode(to: &\(writer))"] }
            return ["\(attempt)\(u.swiftName).encodeOptional(\(value), to: &\(writer))"]
        }
    }

    /// An expression (starting with `try` where it can fail) that decodes one value from
    /// `reader` (an `inout AvroReader`).
    static func decode(_ type: SwiftTypeRef, reader: String, depth: Int) -> String {
        let r = "r\(depth + 1)"
        switch type {
        case .null: return "nil"
        case .boolean: return "try \(reader).readBoolean()"
        case .int: return "try \(reader).readInt()"
        case .long: return "try \(reader).readLong()"
        case .float: return "try \(reader).readFloat()"
        case .double: return "try \(reader).readDouble()"
        case .bytes: return "try \(reader).readBytes()"
        case .string: return "try \(reader).readString()"
        case .uuid: return "try \(reader).readUUID()"
        case .timestamp(let micros): return "try \(reader).readTimestamp\(micros ? "Micros" : "Millis")()"
        case .decimal(let precision, let scale, let fixedSize):
            if let fixedSize { return "try \(reader).readDecimal(precision: \(precision), scale: \(scale), fixedSize: \(fixedSize))" }
            return "try \(reader).readDecimal(precision: \(precision), scale: \(scale))"
        case .named(let name): return "try \(name)(from: &\(reader))"
        case .array(let items):
            return "try \(reader).readArray { (\(r): inout \(readerType)) \(throwsClause) -> \(items.swiftType) in \(decode(items, reader: r, depth: depth + 1)) }"
        case .map(let values):
            return "try \(reader).readMap { (\(r): inout \(readerType)) \(throwsClause) -> \(values.swiftType) in \(decode(values, reader: r, depth: depth + 1)) }"
        case .optional(let wrapped, let nullIndex):
            if nullIndex == 0 {
                return "try \(reader).readOptional { (\(r): inout \(readerType)) \(throwsClause) -> \(wrapped.swiftType) in \(decode(wrapped, reader: r, depth: depth + 1)) }"
            }
            return "try { (\(r): inout \(readerType)) \(throwsClause) -> \(type.swiftType) in if try \(r).readUnionIndex(branchCount: 2) == \(nullIndex) { return nil }; return \(decode(wrapped, reader: r, depth: depth + 1)) }(&\(reader))"
        case .union(let u):
            if u.nullIndex == nil { return "try \(u.swiftName)(from: &\(reader))" }
            return "try \(u.swiftName).decodeOptional(from: &\(reader))"
        }
    }

    static func indent(_ lines: [String], by prefix: String = "    ") -> [String] {
        lines.map { $0.isEmpty ? $0 : prefix + $0 }
    }
}
