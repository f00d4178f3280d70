/// An error that says where in a value or schema it happened, as a field path from the top
/// (outermost first: `["items", "[3]", "price"]`), built up while the error unwinds.
public protocol AvroFieldPathError: Error {
    /// The field path, outermost first.
    var path: [String] { get set }
}

extension AvroFieldPathError {
    /// The same error with `component` prepended to its path (used while unwinding).
    public func prefixed(with component: String) -> Self {
        var copy = self
        copy.path.insert(component, at: 0)
        return copy
    }

    /// The field path as text, e.g. `items[3].price`.
    public var pathDescription: String { AvroPath.describe(path) }
}

/// Bytes that are not a valid Avro encoding for the schema they are read with.
///
/// Every decoder in this module throws only this error for bad input: truncated data,
/// over-long varints, negative or impossible lengths, unknown union branches or enum
/// ordinals, bad framing. It says what was wrong, at which byte offset and, when known,
/// on which field path (e.g. `order.items[3].price`).
public struct AvroDecodingError: AvroFieldPathError, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong with the input.
    public enum Kind: Sendable, Hashable {
        /// The input ended while `needed` more bytes were expected.
        case truncated(needed: Int)
        /// A varint ran over 5 (int) or 10 (long) bytes or overflowed its type.
        case malformedVarint
        /// A length prefix (bytes, string) was negative.
        case negativeLength(Int64)
        /// A length or item count claims more than the rest of the input can hold.
        case lengthExceedsInput(claimed: Int64, remaining: Int)
        /// A boolean byte other than 0 or 1.
        case invalidBoolean(UInt8)
        /// A string whose bytes are not UTF-8.
        case invalidUTF8
        /// A union branch index outside `0..<branchCount`.
        case unionIndexOutOfRange(index: Int64, branchCount: Int)
        /// An enum ordinal outside `0..<symbolCount`.
        case enumOrdinalOutOfRange(ordinal: Int64, symbolCount: Int)
        /// Nesting (recursive records, nested arrays) deeper than the decoder allows.
        case nestingTooDeep(limit: Int)
        /// Bytes left over after a complete value where none were expected.
        case trailingBytes(count: Int)
        /// A framed message without the expected magic/marker bytes.
        case badMagic(expected: [UInt8], found: [UInt8])
        /// A framed message that starts with neither framing's marker (``AvroWireFraming``):
        /// `found` holds its first bytes (none for an empty message).
        case unknownFraming(found: [UInt8])
        /// A single-object message naming a schema fingerprint nobody registered.
        case unknownFingerprint(UInt64)
        /// A Confluent-framed message naming a schema id nobody registered.
        case unknownSchemaID(Int32)
        /// A decoded value the reader cannot accept (a writer union branch or enum symbol
        /// that the reader's schema has no match or default for, a bad logical value, ...).
        case unresolvable(String)
        /// The writer's and reader's schemas cannot be resolved against each other.
        case incompatibleSchemas(AvroResolutionError)
    }

    /// What was wrong.
    public var kind: Kind
    /// Byte offset in the input where the problem was detected.
    public var offset: Int
    /// Field path from the top-level value, outermost first (e.g. `["items", "[3]", "price"]`).
    public var path: [String]

    /// Creates an error.
    public init(_ kind: Kind, offset: Int, path: [String] = []) {
        self.kind = kind
        self.offset = offset
        self.path = path
    }

    public var description: String {
        let location = path.isEmpty ? "at byte \(offset)" : "at byte \(offset) in \(pathDescription)"
        let what: String
        switch kind {
        case .truncated(let needed): what = "input truncated: \(needed) more byte(s) needed"
        case .malformedVarint: what = "malformed varint (too long or overflowing)"
        case .negativeLength(let n): what = "negative length \(n)"
        case .lengthExceedsInput(let claimed, let remaining):
            what = "length or count \(claimed) exceeds the \(remaining) byte(s) left"
        case .invalidBoolean(let b): what = "invalid boolean byte \(b)"
        case .invalidUTF8: what = "string is not valid UTF-8"
        case .unionIndexOutOfRange(let i, let n): what = "union branch index \(i) out of range 0..<\(n)"
        case .enumOrdinalOutOfRange(let i, let n): what = "enum ordinal \(i) out of range 0..<\(n)"
        case .nestingTooDeep(let limit): what = "nesting deeper than \(limit)"
        case .trailingBytes(let n): what = "\(n) unexpected trailing byte(s)"
        case .badMagic(let expected, let found):
            what = "bad magic bytes \(AvroPath.hex(found)), expected \(AvroPath.hex(expected))"
        case .unknownFraming(let found):
            what = found.isEmpty
                ? "empty value: neither single-object (C3 01) nor Confluent (00 + schema id) framing"
                : "value starts with \(AvroPath.hex(found)): neither single-object (C3 01) nor Confluent (00 + schema id) framing"
        case .unknownFingerprint(let f): what = "unknown schema fingerprint 0x\(String(f, radix: 16))"
        case .unknownSchemaID(let id): what = "unknown schema id \(id)"
        case .unresolvable(let message): what = message
        case .incompatibleSchemas(let error): what = error.description
        }
        return "Avro decoding failed \(location): \(what)"
    }
}

/// A schema (`.avsc` JSON) that is not a valid Avro schema.
public struct AvroSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. `unknown type name "Mony"`.
    public var message: String
    /// Where in the schema JSON, e.g. `fields[2].type` (empty for the top level).
    public var location: String
    /// The file or source the schema came from, when known.
    public var source: String?
    /// Set when the problem is a reference to a named type nobody defined (yet): a schema
    /// set parsing files in dependency order retries such schemas later.
    public var unknownName: AvroName?

    /// Creates an error.
    public init(_ message: String, location: String, source: String? = nil, unknownName: AvroName? = nil) {
        self.message = message
        self.location = location
        self.source = source
        self.unknownName = unknownName
    }

    public var description: String {
        var text = "invalid Avro schema"
        if let source { text += " in \(source)" }
        text += location.isEmpty ? " at the top level" : " at \(location)"
        return text + ": " + message
    }
}

/// A value that does not fit the schema it is encoded with.
public struct AvroEncodingError: AvroFieldPathError, Sendable, Hashable, CustomStringConvertible {
    /// What does not fit.
    public var message: String
    /// Field path of the offending value, outermost first.
    public var path: [String]

    /// Creates an error.
    public init(_ message: String, path: [String] = []) {
        self.message = message
        self.path = path
    }

    public var description: String {
        path.isEmpty ? "Avro encoding failed: \(message)" : "Avro encoding failed at \(pathDescription): \(message)"
    }
}

/// A writer schema that cannot be read with a reader schema (Avro schema resolution).
public struct AvroResolutionError: AvroFieldPathError, Sendable, Hashable, CustomStringConvertible {
    /// Why they are incompatible.
    public var message: String
    /// Path in the reader's schema where resolution failed, outermost first.
    public var path: [String]

    /// Creates an error.
    public init(_ message: String, path: [String] = []) {
        self.message = message
        self.path = path
    }

    public var description: String {
        path.isEmpty ? "incompatible schemas: \(message)" : "incompatible schemas at \(pathDescription): \(message)"
    }
}

/// Any error of this module, for APIs that can fail in more than one way.
public enum AvroError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Invalid schema.
    case schema(AvroSchemaError)
    /// Invalid bytes.
    case decoding(AvroDecodingError)
    /// Value does not fit its schema.
    case encoding(AvroEncodingError)
    /// Writer and reader schemas are incompatible.
    case resolution(AvroResolutionError)
    /// Invalid JSON text, or JSON that does not fit the schema (JSON encoding of values).
    case json(String)

    public var description: String {
        switch self {
        case .schema(let e): e.description
        case .decoding(let e): e.description
        case .encoding(let e): e.description
        case .resolution(let e): e.description
        case .json(let message): "Avro JSON: \(message)"
        }
    }
}

/// Helpers to render field paths and bytes in messages.
enum AvroPath {
    /// `["a", "[3]", "b"]` → `a[3].b`.
    static func describe(_ path: [String]) -> String {
        var text = ""
        for component in path {
            if component.hasPrefix("[") || text.isEmpty { text += component } else { text += "." + component }
        }
        return text
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { b in
            let s = String(b, radix: 16, uppercase: true)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: " ")
    }
}
