import Avro

/// The Swift shape of an Avro schema, as generated code sees it.
indirect enum SwiftTypeRef {
    /// `"null"` alone: `Swift.Never?`, whose only value is `nil`; encodes as nothing.
    case null
    case boolean, int, long, float, double, bytes, string
    /// `uuid` on `string`: `Foundation.UUID`, written as its lower-case 36-character text.
    case uuid
    /// `timestamp-millis` / `timestamp-micros`: `Foundation.Date`.
    case timestamp(micros: Bool)
    /// `decimal` on `bytes` (fixedSize nil) or on a `fixed` of `fixedSize` bytes: `Avro.AvroDecimal`.
    /// The only shape whose encoding can fail (a value the schema cannot hold exactly).
    case decimal(precision: Int, scale: Int, fixedSize: Int?)
    /// A generated record, enum or fixed type, by its Swift name.
    case named(String)
    case array(SwiftTypeRef)
    case map(SwiftTypeRef)
    /// `["null", T]` or `[T, "null"]`: `T?`.
    case optional(SwiftTypeRef, nullIndex: Int)
    /// Any other union: a generated enum with one case per non-null branch (`Union?` when
    /// one branch is null).
    case union(UnionDeclaration)
}

/// A union that becomes a generated Swift enum.
struct UnionDeclaration {
    /// One non-null branch.
    struct Branch {
        /// The enum case name, e.g. `orderPlaced`, `string`.
        var caseName: String
        /// The branch's index in the Avro union (what is written on the wire).
        var index: Int
        var type: SwiftTypeRef
    }

    /// Swift type name (nested in the enclosing record, or top level for a file that is a union).
    var swiftName: String
    var branches: [Branch]
    /// Index of the `null` branch, if any.
    var nullIndex: Int?
    /// Total number of branches in the Avro union (including null).
    var branchCount: Int
}

extension SwiftTypeRef {
    /// The Swift type expression.
    var swiftType: String {
        switch self {
        case .null: "Swift.Never?"
        case .boolean: "Swift.Bool"
        case .int: "Swift.Int32"
        case .long: "Swift.Int64"
        case .float: "Swift.Float"
        case .double: "Swift.Double"
        case .bytes: "[Swift.UInt8]"
        case .string: "Swift.String"
        case .uuid: "Foundation.UUID"
        case .timestamp: "Foundation.Date"
        case .decimal: "Avro.AvroDecimal"
        case .named(let name): name
        case .array(let items): "[\(items.swiftType)]"
        case .map(let values): "[Swift.String: \(values.swiftType)]"
        case .optional(let wrapped, _): wrapped.isOptional ? wrapped.swiftType : "\(wrapped.swiftType)?"
        case .union(let u): u.nullIndex == nil ? u.swiftName : "\(u.swiftName)?"
        }
    }

    /// Whether encoding a value of this type can throw: it holds a decimal, directly or in a
    /// generated type named in `throwingTypes` (whose `encode(to:)` throws).
    func encodeThrows(_ throwingTypes: Set<String>) -> Bool {
        switch self {
        case .decimal: true
        case .named(let name): throwingTypes.contains(name)
        case .array(let inner), .map(let inner), .optional(let inner, _): inner.encodeThrows(throwingTypes)
        case .union(let u): u.branches.contains { $0.type.encodeThrows(throwingTypes) }
        default: false
        }
    }

    /// True when the Swift type is already optional (so `T?` would double-wrap).
    var isOptional: Bool {
        switch self {
        case .null, .optional: true
        case .union(let u): u.nullIndex != nil
        default: false
        }
    }

    /// A short word for this type, used to name union cases (`string`, `array`, a type's
    /// lower-camel name).
    var caseWord: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .int: "int"
        case .long: "long"
        case .float: "float"
        case .double: "double"
        case .bytes: "bytes"
        case .string: "string"
        case .uuid: "uuid"
        case .timestamp(let micros): micros ? "timestampMicros" : "timestampMillis"
        case .decimal: "decimal"
        case .named(let name): SwiftNames.lowerFirst(name)
        case .array: "array"
        case .map: "map"
        case .optional(let wrapped, _): wrapped.caseWord
        case .union(let u): SwiftNames.lowerFirst(u.swiftName)
        }
    }
}
