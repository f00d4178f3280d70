import Avro

/// Swift expressions for field defaults, so a field with a default in the schema gets a
/// default argument in the generated initializer.
enum DefaultLiteral {
    /// A Swift expression of `type` equal to `value`, or nil when the generator does not
    /// spell this kind of default (the parameter is then simply required).
    static func expression(_ value: AvroValue, type: SwiftTypeRef, enums: [String: [String: String]]) -> String? {
        switch (type, value) {
        case (.null, _): return "nil"
        case (.boolean, .boolean(let b)): return "\(b)"
        case (.int, .int(let i)): return SchemaLiteral.int32(i)
        case (.int, .date(let i)), (.int, .timeMillis(let i)): return SchemaLiteral.int32(i)
        case (.long, .long(let l)), (.long, .timeMicros(let l)),
             (.long, .localTimestampMillis(let l)), (.long, .localTimestampMicros(let l)),
             (.long, .timestampNanos(let l)), (.long, .localTimestampNanos(let l)):
            return SchemaLiteral.int64(l)
        case (.float, .float(let f)): return "Swift.Float(bitPattern: \(f.bitPattern))"
        case (.double, .double(let d)): return SchemaLiteral.double(d)
        case (.bytes, .bytes(let b)): return SchemaLiteral.bytes(b)
        case (.string, .string(let s)): return SwiftNames.stringLiteral(s)
        case (.uuid, .uuid(let u)): return SchemaLiteral.uuid(u)
        case (.timestamp(false), .timestampMillis(let t)):
            return "Foundation.Date(timeIntervalSince1970: Swift.Double(\(SchemaLiteral.int64(t))) / 1_000)"
        case (.timestamp(true), .timestampMicros(let t)):
            return "Foundation.Date(timeIntervalSince1970: Swift.Double(\(SchemaLiteral.int64(t))) / 1_000_000)"
        case (.decimal, .decimal(let d)): return SchemaLiteral.decimal(d)
        case (.named(let name), .enumeration(let symbol)):
            guard let caseName = enums[name]?[symbol] else { return nil }
            return "\(name).\(caseName)"
        case (.array(let items), .array(let values)):
            var parts: [String] = []
            for v in values {
                guard let part = expression(v, type: items, enums: enums) else { return nil }
                parts.append(part)
            }
            return "[\(parts.joined(separator: ", "))]"
        case (.map(let valueType), .map(let entries)):
            if entries.isEmpty { return "[:]" }
            var parts: [String] = []
            for key in entries.keys.sorted() {
                guard let v = entries[key], let part = expression(v, type: valueType, enums: enums) else { return nil }
                parts.append("\(SwiftNames.stringLiteral(key)): \(part)")
            }
            return "[\(parts.joined(separator: ", "))]"
        case (.optional(let wrapped, let nullIndex), .union(let index, let inner)):
            return index == nullIndex ? "nil" : expression(inner, type: wrapped, enums: enums)
        case (.union(let u), .union(let index, let inner)):
            if index == u.nullIndex { return "nil" }
            guard let branch = u.branches.first(where: { $0.index == index }),
                  let part = expression(inner, type: branch.type, enums: enums) else { return nil }
            return "\(u.swiftName).\(branch.caseName)(\(part))"
        case (_, .union(_, let inner)):
            return expression(inner, type: type, enums: enums)
        default:
            return nil
        }
    }
}
