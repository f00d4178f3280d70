/// Reads data written with one schema (the writer's) as values of another (the reader's),
/// following Avro's schema resolution rules:
///
/// - promotions `int → long → float → double` (and `int → float/double`, `long → double`),
///   `string ↔ bytes`;
/// - records match by full name, unqualified name or reader alias; fields match by name or
///   reader field alias, in any order; writer fields the reader lacks are skipped; reader
///   fields the writer lacks take their default (no default: incompatible);
/// - enums: writer symbols the reader lacks become the reader's default symbol (no default:
///   an error when such a symbol is read);
/// - fixed: same name and size; arrays and maps resolve their items/values;
/// - a writer union resolves each branch (an unresolvable branch is an error only when data
///   uses it); a reader union takes the first branch matching the writer's type (exact type
///   or name first, then promotions);
/// - logical types are applied as the reader declares them; decimals must agree on scale.
///
/// Incompatibilities found up front throw ``AvroResolutionError`` from the initializer.
/// Build one decoder per (writer, reader) pair and reuse it.
public struct AvroResolvingDecoder: Sendable {
    /// The schema the data was written with.
    public let writerSchema: AvroSchema
    /// The schema values come out in.
    public let readerSchema: AvroSchema
    /// Limits against hostile input.
    public let limits: AvroDecodingLimits
    let root: ResolutionPlan
    let recordPlans: [RecordPlan]
    let skipper: AvroSkipper

    /// Compiles the resolution of `writer` against `reader`.
    public init(writer: AvroSchema, reader: AvroSchema, limits: AvroDecodingLimits = .default) throws(AvroResolutionError) {
        var compiler = ResolutionCompiler(writerNames: writer.namedTypes, readerNames: reader.namedTypes)
        root = try compiler.compile(writer: writer, reader: reader)
        recordPlans = compiler.recordPlans
        skipper = AvroSkipper(names: compiler.writerNames)
        writerSchema = writer
        readerSchema = reader
        self.limits = limits
    }

    /// Decodes one value that must span all of `bytes`.
    public func decode(_ bytes: [UInt8]) throws(AvroDecodingError) -> AvroValue {
        try AvroReader.decodeWhole(bytes, limits: limits) { (reader: inout AvroReader) throws(AvroDecodingError) in try decode(from: &reader) }
    }

    /// Decodes one value at the reader's position.
    public func decode(from reader: inout AvroReader) throws(AvroDecodingError) -> AvroValue {
        try read(root, from: &reader)
    }

    func read(_ plan: ResolutionPlan, from reader: inout AvroReader) throws(AvroDecodingError) -> AvroValue {
        switch plan {
        case .primitive(let schema): return try reader.readPrimitive(of: schema)
        case .intAsLong: return .long(Int64(try reader.readInt()))
        case .intAsFloat: return .float(Float(try reader.readInt()))
        case .intAsDouble: return .double(Double(try reader.readInt()))
        case .longAsFloat: return .float(Float(try reader.readLong()))
        case .longAsDouble: return .double(Double(try reader.readLong()))
        case .floatAsDouble: return .double(Double(try reader.readFloat()))
        case .stringAsBytes: return .bytes(try reader.readBytes())
        case .bytesAsString: return .string(try reader.readString())
        case .fixed(let size): return .fixed(try reader.readFixed(size: size))
        case .enumeration(let mapping):
            let start = reader.offset
            let ordinal = try reader.readEnumOrdinal(symbolCount: mapping.count)
            switch mapping[ordinal] {
            case .symbol(let symbol, _): return .enumeration(symbol)
            case .unknown(let symbol):
                throw AvroDecodingError(.unresolvable("enum symbol \"\(symbol)\" is unknown to the reader, which has no default"), offset: start)
            }
        case .array(let items):
            try reader.enterNested()
            defer { reader.leaveNested() }
            return .array(try reader.readArray { (r: inout AvroReader) throws(AvroDecodingError) in try read(items, from: &r) })
        case .map(let values):
            try reader.enterNested()
            defer { reader.leaveNested() }
            return .map(try reader.readMap { (r: inout AvroReader) throws(AvroDecodingError) in try read(values, from: &r) })
        case .writerUnion(let branches):
            let branchPlan = try writerBranch(of: branches, from: &reader)
            try reader.enterNested()
            defer { reader.leaveNested() }
            return try read(branchPlan, from: &reader)
        case .readerUnion(let index, let branchPlan):
            return .union(index, try read(branchPlan, from: &reader))
        case .logical(let type, let basePlan):
            let start = reader.offset
            let value = try read(basePlan, from: &reader)
            guard let logical = AvroValue.wrapping(type, value) else {
                throw AvroDecodingError(.unresolvable("not a valid \(type.name) value"), offset: start)
            }
            return logical
        case .record(let index):
            let recordPlan = try recordPlan(index, at: reader.offset)
            try reader.enterNested()
            defer { reader.leaveNested() }
            var fields = recordPlan.defaults
            fields.reserveCapacity(recordPlan.readerFieldCount)
            for step in recordPlan.steps {
                switch step {
                case .read(let name, _, let fieldPlan):
                    do { fields[name] = try read(fieldPlan, from: &reader) } catch { throw error.prefixed(with: name) }
                case .skip(let name, let writerType):
                    do { try skipper.skip(writerType, in: &reader) } catch { throw error.prefixed(with: name) }
                }
            }
            return .record(fields)
        }
    }
}

extension AvroResolvingDecoder {
    /// Reads a writer union's branch index and returns that branch's plan (shared by
    /// decoding and transcoding); a branch the reader cannot take is an error here.
    func writerBranch(of branches: [BranchPlan], from reader: inout AvroReader) throws(AvroDecodingError) -> ResolutionPlan {
        let start = reader.offset
        let index = try reader.readUnionIndex(branchCount: branches.count)
        switch branches[index] {
        case .resolved(let branchPlan):
            return branchPlan
        case .unresolvable(let message):
            throw AvroDecodingError(.unresolvable("writer union branch \(index): \(message)"), offset: start)
        }
    }

    /// The compiled record plan at `index`.
    func recordPlan(_ index: Int, at offset: Int) throws(AvroDecodingError) -> RecordPlan {
        guard recordPlans.indices.contains(index) else {
            throw AvroDecodingError(.unresolvable("no resolution for record #\(index)"), offset: offset)
        }
        return recordPlans[index]
    }
}

/// Identifies the resolution of one writer record against one reader record.
struct RecordKey: Hashable, Sendable {
    var writer: AvroName
    var reader: AvroName
}

/// How a writer's enum symbol reads: the reader's symbol and its ordinal, or unknown.
enum EnumMapping: Sendable {
    case symbol(String, ordinal: Int)
    case unknown(String)
}

/// How one writer union branch reads.
enum BranchPlan: Sendable {
    case resolved(ResolutionPlan)
    case unresolvable(String)
}

/// The compiled reading of a writer record as a reader record.
/// (A final class with constant properties: looked up per record while decoding, it costs
/// one retain instead of copying its arrays.)
final class RecordPlan: Sendable {
    enum Step: Sendable {
        /// A writer field the reader has: its name, its index among the reader's fields, its plan.
        case read(String, readerIndex: Int, ResolutionPlan)
        /// A writer field the reader lacks.
        case skip(String, AvroSchema)
    }
    /// One step per writer field, in writer order.
    let steps: [Step]
    /// Reader fields the writer lacks, with their defaults.
    let defaults: [String: AvroValue]
    /// The number of reader fields.
    let readerFieldCount: Int
    /// The binary encoding of each default, by reader field index (for transcoding).
    let defaultEncodings: [Int: [UInt8]]

    /// Whether the fields read arrive in the reader's field order (so transcoding can stream).
    let readsInReaderOrder: Bool

    init(steps: [Step], defaults: [String: AvroValue], readerFieldCount: Int, defaultEncodings: [Int: [UInt8]]) {
        self.steps = steps
        self.defaults = defaults
        self.readerFieldCount = readerFieldCount
        self.defaultEncodings = defaultEncodings
        var last = -1
        var inOrder = true
        for case .read(_, let readerIndex, _) in steps {
            if readerIndex <= last { inOrder = false }
            last = readerIndex
        }
        readsInReaderOrder = inOrder
    }
}

/// The compiled reading of a writer schema as a reader schema.
indirect enum ResolutionPlan: Sendable {
    /// Same primitive type on both sides.
    case primitive(AvroSchema)
    case intAsLong, intAsFloat, intAsDouble, longAsFloat, longAsDouble, floatAsDouble, stringAsBytes, bytesAsString
    case fixed(Int)
    case enumeration([EnumMapping])
    case array(ResolutionPlan)
    case map(ResolutionPlan)
    case writerUnion([BranchPlan])
    case readerUnion(Int, ResolutionPlan)
    case logical(AvroLogicalType, ResolutionPlan)
    /// A record pair's plan, by index in the decoder's record plans.
    case record(Int)
}
