// Sample values for a schema (written for avro-codegen's tests and `sagactl schema sample`):
// deterministic pseudo-random values that exercise every branch kind, for round-trip tests
// and for showing users what a message looks like.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Makes pseudo-random ``AvroValue``s that fit a schema, reproducibly from a seed.
///
/// Values use the logical cases for logical types (`.uuid`, `.timestampMillis`, …), choose
/// union branches at random, keep collections short, and stop recursing below `maximumDepth`
/// (choosing a `null` branch or an empty collection there).
public struct AvroSampleValues: Sendable {
    /// The generator's state (SplitMix64).
    private var state: UInt64
    /// Depth after which recursive schemas get empty collections or null branches.
    public var maximumDepth: Int

    /// Creates a generator; equal seeds give equal values.
    public init(seed: UInt64, maximumDepth: Int = 4) {
        state = seed
        self.maximumDepth = maximumDepth
    }

    /// The next pseudo-random 64 bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound > 0).
    public mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(max(bound, 1)))
    }

    /// A value of `schema` (a self-contained schema, as the parser returns it).
    public mutating func value(for schema: AvroSchema) -> AvroValue {
        value(for: schema, names: schema.namedTypes, depth: 0)
    }

    private mutating func value(for schema: AvroSchema, names: [AvroName: AvroSchema], depth: Int) -> AvroValue {
        switch schema {
        case .null: return .null
        case .boolean: return .boolean(next() & 1 == 1)
        case .int: return .int(Int32(truncatingIfNeeded: interesting()))
        case .long: return .long(Int64(bitPattern: interesting()))
        case .float: return .float(Float(Int32(truncatingIfNeeded: next() % 2_000_001)) / 8 - 100_000)
        case .double: return .double(Double(Int64(bitPattern: next()) % 1_000_000_007) / 64)
        case .bytes: return .bytes((0..<below(12)).map { _ in UInt8(truncatingIfNeeded: next()) })
        case .string: return .string(text())
        case .fixed(let f): return .fixed((0..<f.size).map { _ in UInt8(truncatingIfNeeded: next()) })
        case .enumeration(let e): return .enumeration(e.symbols.isEmpty ? "" : e.symbols[below(e.symbols.count)])
        case .array(let items):
            let count = depth >= maximumDepth ? 0 : below(4)
            return .array((0..<count).map { _ in value(for: items, names: names, depth: depth + 1) })
        case .map(let values):
            let count = depth >= maximumDepth ? 0 : below(4)
            var entries: [String: AvroValue] = [:]
            for i in 0..<count { entries["k\(i)-\(text())"] = value(for: values, names: names, depth: depth + 1) }
            return .map(entries)
        case .union(let branches):
            guard !branches.isEmpty else { return .null }
            var index = below(branches.count)
            if depth >= maximumDepth, let nullIndex = branches.firstIndex(of: .null) { index = nullIndex }
            return .union(index, value(for: branches[index], names: names, depth: depth + 1))
        case .record(let r):
            var fields: [String: AvroValue] = [:]
            for field in r.fields { fields[field.name] = value(for: field.type, names: names, depth: depth + 1) }
            return .record(fields)
        case .reference(let name):
            guard let definition = names[name] else { return .null }
            return value(for: definition, names: names, depth: depth)
        case .logical(let logical, let base):
            return logicalValue(logical, base: base, names: names, depth: depth)
        }
    }

    private mutating func logicalValue(_ logical: AvroLogicalType, base: AvroSchema, names: [AvroName: AvroSchema],
                                       depth: Int) -> AvroValue {
        // Times near now, to the unit, so conversions through Foundation's Date stay exact.
        let millis = 1_700_000_000_000 + Int64(below(400_000_000_000))
        switch logical {
        case .uuid:
            if case .fixed = base { return value(for: base, names: names, depth: depth) }
            let b = (0..<16).map { _ in UInt8(truncatingIfNeeded: next()) }
            return .uuid(UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])))
        case .decimal(let precision, let scale):
            let digits = max(1, min(precision, 18))
            var limit: Int64 = 1
            for _ in 0..<digits { limit = limit &* 10 }
            var unscaled = Int64(bitPattern: next()) % limit
            if case .fixed(let f) = base, f.size < 8 {
                let bound = Int64(1) << (8 * f.size - 1)
                unscaled %= bound
            }
            return .decimal(AvroDecimal(unscaled: unscaled, scale: scale))
        case .date: return .date(Int32(below(40_000)) - 10_000)
        case .timeMillis: return .timeMillis(Int32(below(86_400_000)))
        case .timeMicros: return .timeMicros(Int64(below(86_400_000)) * 1000 + Int64(below(1000)))
        case .timestampMillis: return .timestampMillis(millis)
        case .timestampMicros: return .timestampMicros(millis * 1000 + Int64(below(1000)))
        case .localTimestampMillis: return .localTimestampMillis(millis)
        case .localTimestampMicros: return .localTimestampMicros(millis * 1000 + Int64(below(1000)))
        case .timestampNanos: return .timestampNanos(nanos(millis))
        case .localTimestampNanos: return .localTimestampNanos(nanos(millis))
        }
    }

    /// Nanoseconds near `millis`, or now and then an instant at the edges of what an `Int64`
    /// of nanoseconds holds (1677 and 2262), the epoch or just before it.
    private mutating func nanos(_ millis: Int64) -> Int64 {
        switch below(8) {
        case 0: return Int64.max - Int64(below(1000))
        case 1: return Int64.min + Int64(below(1000))
        case 2: return Int64(below(3)) - 1
        default: return millis * 1_000_000 + Int64(below(1_000_000))
        }
    }

    /// Mostly small numbers, sometimes extremes, to exercise every varint length.
    private mutating func interesting() -> UInt64 {
        switch below(6) {
        case 0: return 0
        case 1: return UInt64(bitPattern: Int64(below(200)) - 100)
        case 2: return next()
        case 3: return UInt64(bitPattern: Int64.max - Int64(below(3)))
        case 4: return UInt64(bitPattern: Int64.min + Int64(below(3)))
        default: return UInt64(below(1 << 20))
        }
    }

    /// Short text with ASCII, accents, quotes and an emoji now and then.
    private mutating func text() -> String {
        let pieces = ["a", "Z", "0", " ", "é", "\"", "\\", "ü", "₹", "😀", "\n", "x"]
        return (0..<below(10)).map { _ in pieces[below(pieces.count)] }.joined()
    }
}
