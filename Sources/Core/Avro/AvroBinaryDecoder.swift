/// Decodes Avro's binary encoding into generic ``AvroValue``s, written and read with the
/// same schema (for a different writer schema, see ``AvroResolvingDecoder``).
///
/// Union values come out as ``AvroValue/union(_:_:)``, logical types as their logical
/// cases. Hostile input yields ``AvroDecodingError``, never a crash, a hang or an
/// allocation larger than the input.
public struct AvroBinaryDecoder: Sendable {
    /// The schema the data was written with.
    public let schema: AvroSchema
    /// Limits against hostile input.
    public let limits: AvroDecodingLimits
    let names: [AvroName: AvroSchema]

    /// Creates a decoder for data written with `schema`.
    public init(schema: AvroSchema, limits: AvroDecodingLimits = .default) {
        self.schema = schema
        self.limits = limits
        self.names = schema.namedTypes
    }

    /// Decodes one value that must span all of `bytes`.
    public func decode(_ bytes: [UInt8]) throws(AvroDecodingError) -> AvroValue {
        try AvroReader.decodeWhole(bytes, limits: limits) { (reader: inout AvroReader) throws(AvroDecodingError) in try decode(from: &reader) }
    }

    /// Decodes one value at the reader's position.
    public func decode(from reader: inout AvroReader) throws(AvroDecodingError) -> AvroValue {
        try read(schema, from: &reader)
    }

    func read(_ schema: AvroSchema, from reader: inout AvroReader) throws(AvroDecodingError) -> AvroValue {
        switch schema {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string: return try reader.readPrimitive(of: schema)
        case .fixed(let f): return .fixed(try reader.readFixed(size: f.size))
        case .enumeration(let e):
            return .enumeration(e.symbols[try reader.readEnumOrdinal(symbolCount: e.symbols.count)])
        case .array(let items):
            try reader.enterNested()
            defer { reader.leaveNested() }
            return .array(try reader.readArray { (r: inout AvroReader) throws(AvroDecodingError) in try read(items, from: &r) })
        case .map(let values):
            try reader.enterNested()
            defer { reader.leaveNested() }
            return .map(try reader.readMap { (r: inout AvroReader) throws(AvroDecodingError) in try read(values, from: &r) })
        case .union(let branches):
            let index = try reader.readUnionIndex(branchCount: branches.count)
            try reader.enterNested()
            defer { reader.leaveNested() }
            return .union(index, try read(branches[index], from: &reader))
        case .record(let record):
            try reader.enterNested()
            defer { reader.leaveNested() }
            var fields: [String: AvroValue] = [:]
            fields.reserveCapacity(record.fields.count)
            // Indexing projects just the name and type; `for field in` would copy whole fields.
            let recordFields = record.fields
            for i in recordFields.indices {
                do {
                    fields[recordFields[i].name] = try read(recordFields[i].type, from: &reader)
                } catch {
                    throw error.prefixed(with: recordFields[i].name)
                }
            }
            return .record(fields)
        case .logical(let type, let base):
            let start = reader.offset
            let value = try read(base, from: &reader)
            guard let logical = AvroValue.wrapping(type, value) else {
                throw AvroDecodingError(.unresolvable("not a valid \(type.name) value"), offset: start)
            }
            return logical
        case .reference(let name):
            guard let definition = names[name] else {
                throw AvroDecodingError(.unresolvable("schema references undefined type \(name)"), offset: reader.offset)
            }
            return try read(definition, from: &reader)
        }
    }
}

/// Skips values written with a schema (fields the reader's schema does not have).
struct AvroSkipper {
    let names: [AvroName: AvroSchema]

    func skip(_ schema: AvroSchema, in reader: inout AvroReader) throws(AvroDecodingError) {
        switch schema {
        case .null: return
        case .boolean: _ = try reader.readBoolean()
        case .int: _ = try reader.readInt()
        case .long: _ = try reader.readLong()
        case .float: try reader.skip(4)
        case .double: try reader.skip(8)
        case .bytes, .string: try reader.skipBytes()
        case .fixed(let f): try reader.skip(f.size)
        case .enumeration(let e): _ = try reader.readEnumOrdinal(symbolCount: e.symbols.count)
        case .array(let items): try skipBlocks(in: &reader) { (r: inout AvroReader) throws(AvroDecodingError) in try skip(items, in: &r) }
        case .map(let values):
            try skipBlocks(in: &reader) { (r: inout AvroReader) throws(AvroDecodingError) in
                try r.skipBytes()
                try skip(values, in: &r)
            }
        case .union(let branches):
            let index = try reader.readUnionIndex(branchCount: branches.count)
            try reader.enterNested()
            defer { reader.leaveNested() }
            try skip(branches[index], in: &reader)
        case .record(let record):
            try reader.enterNested()
            defer { reader.leaveNested() }
            for field in record.fields { try skip(field.type, in: &reader) }
        case .logical(_, let base): try skip(base, in: &reader)
        case .reference(let name):
            guard let definition = names[name] else {
                throw AvroDecodingError(.unresolvable("schema references undefined type \(name)"), offset: reader.offset)
            }
            try skip(definition, in: &reader)
        }
    }

    func skipBlocks(in reader: inout AvroReader, _ skipItem: (inout AvroReader) throws(AvroDecodingError) -> Void) throws(AvroDecodingError) {
        try reader.enterNested()
        defer { reader.leaveNested() }
        while true {
            let (count, byteSize) = try reader.readBlockHeaderForSkip()
            if count == 0 { return }
            if let byteSize {
                try reader.skip(byteSize)
            } else {
                for _ in 0..<count { try skipItem(&reader) }
            }
        }
    }
}
