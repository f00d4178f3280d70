extension AvroResolvingDecoder {
    /// Reads one value written with the writer schema and writes it in the *reader* schema's
    /// binary encoding, without building generic values: promoted numbers are re-encoded,
    /// skipped fields dropped, reordered fields reordered, missing fields filled with their
    /// pre-encoded defaults, union and enum indexes renumbered. Bytes, strings and fixed
    /// values are copied as they are; the reader of the output (e.g. a generated type's
    /// `init(from:)`) validates them as it would any input.
    ///
    /// This is how generated types read data written with an older or newer schema: transcode,
    /// then their own fast decoder.
    public func transcode(from reader: inout AvroReader, to writer: inout AvroWriter) throws(AvroDecodingError) {
        try transcode(root, from: &reader, to: &writer)
    }

    /// Transcodes one value that must span all of `bytes` (see ``transcode(from:to:)``).
    public func transcode(_ bytes: [UInt8]) throws(AvroDecodingError) -> [UInt8] {
        var writer = AvroWriter(capacity: bytes.count + 16)
        try AvroReader.decodeWhole(bytes, limits: limits) { (reader: inout AvroReader) throws(AvroDecodingError) in
            try transcode(from: &reader, to: &writer)
        }
        return writer.bytes
    }

    func transcode(_ plan: ResolutionPlan, from reader: inout AvroReader, to out: inout AvroWriter) throws(AvroDecodingError) {
        switch plan {
        case .primitive(let schema):
            switch schema {
            case .boolean: out.writeBoolean(try reader.readBoolean())
            case .int: out.writeInt(try reader.readInt())
            case .long: out.writeLong(try reader.readLong())
            case .float: out.writeFloat(try reader.readFloat())
            case .double: out.writeDouble(try reader.readDouble())
            case .bytes, .string: try copyLengthPrefixed(from: &reader, to: &out)
            default: break  // null: nothing on the wire
            }
        case .intAsLong: out.writeLong(Int64(try reader.readInt()))
        case .intAsFloat: out.writeFloat(Float(try reader.readInt()))
        case .intAsDouble: out.writeDouble(Double(try reader.readInt()))
        case .longAsFloat: out.writeFloat(Float(try reader.readLong()))
        case .longAsDouble: out.writeDouble(Double(try reader.readLong()))
        case .floatAsDouble: out.writeDouble(Double(try reader.readFloat()))
        case .stringAsBytes, .bytesAsString: try copyLengthPrefixed(from: &reader, to: &out)
        case .fixed(let size):
            try reader.skip(size)
            out.writeRaw(reader.storage[reader.position - size..<reader.position])
        case .enumeration(let mapping):
            let start = reader.offset
            switch mapping[try reader.readEnumOrdinal(symbolCount: mapping.count)] {
            case .symbol(_, let ordinal): out.writeEnumOrdinal(ordinal)
            case .unknown(let symbol):
                throw AvroDecodingError(.unresolvable("enum symbol \"\(symbol)\" is unknown to the reader, which has no default"), offset: start)
            }
        case .array(let items):
            try transcodeBlocks(from: &reader, to: &out) { (r: inout AvroReader, w: inout AvroWriter) throws(AvroDecodingError) in
                try transcode(items, from: &r, to: &w)
            }
        case .map(let values):
            try transcodeBlocks(from: &reader, to: &out) { (r: inout AvroReader, w: inout AvroWriter) throws(AvroDecodingError) in
                try copyLengthPrefixed(from: &r, to: &w)
                try transcode(values, from: &r, to: &w)
            }
        case .writerUnion(let branches):
            let branchPlan = try writerBranch(of: branches, from: &reader)
            try reader.enterNested()
            defer { reader.leaveNested() }
            try transcode(branchPlan, from: &reader, to: &out)
        case .readerUnion(let index, let branchPlan):
            out.writeUnionIndex(index)
            try transcode(branchPlan, from: &reader, to: &out)
        case .logical(_, let basePlan):
            try transcode(basePlan, from: &reader, to: &out)
        case .record(let index):
            let recordPlan = try recordPlan(index, at: reader.offset)
            try reader.enterNested()
            defer { reader.leaveNested() }
            if recordPlan.readsInReaderOrder {
                try transcodeInOrder(recordPlan, from: &reader, to: &out)
            } else {
                try transcodeReordered(recordPlan, from: &reader, to: &out)
            }
        }
    }

    /// Copies a length-prefixed `bytes`/`string` value unchanged.
    func copyLengthPrefixed(from reader: inout AvroReader, to out: inout AvroWriter) throws(AvroDecodingError) {
        let length = try reader.readLength()
        out.writeLong(Int64(length))
        out.writeRaw(reader.storage[reader.position..<reader.position + length])
        reader.position += length
    }

    /// Re-blocks an array or map: each writer block becomes one block of the same count.
    func transcodeBlocks(from reader: inout AvroReader, to out: inout AvroWriter,
                         _ item: (inout AvroReader, inout AvroWriter) throws(AvroDecodingError) -> Void) throws(AvroDecodingError) {
        try reader.enterNested()
        defer { reader.leaveNested() }
        var index = 0
        while true {
            let count = try reader.readBlockCount()
            if count == 0 {
                out.writeEndOfBlocks()
                return
            }
            out.writeBlockCount(count)
            for _ in 0..<count {
                do { try item(&reader, &out) } catch { throw error.prefixed(with: "[\(index)]") }
                index += 1
            }
        }
    }

    func defaultEncoding(_ plan: RecordPlan, _ index: Int, at offset: Int) throws(AvroDecodingError) -> [UInt8] {
        guard let encoding = plan.defaultEncodings[index] else {
            throw AvroDecodingError(.unresolvable("reader field \(index) was neither written nor has a default"), offset: offset)
        }
        return encoding
    }

    /// Writer fields arrive in the reader's order: stream them, filling gaps with defaults.
    func transcodeInOrder(_ plan: RecordPlan, from reader: inout AvroReader, to out: inout AvroWriter) throws(AvroDecodingError) {
        var next = 0
        for step in plan.steps {
            switch step {
            case .read(let name, let readerIndex, let fieldPlan):
                while next < readerIndex {
                    out.writeRaw(try defaultEncoding(plan, next, at: reader.offset))
                    next += 1
                }
                do { try transcode(fieldPlan, from: &reader, to: &out) } catch { throw error.prefixed(with: name) }
                next = readerIndex + 1
            case .skip(let name, let writerType):
                do { try skipper.skip(writerType, in: &reader) } catch { throw error.prefixed(with: name) }
            }
        }
        while next < plan.readerFieldCount {
            out.writeRaw(try defaultEncoding(plan, next, at: reader.offset))
            next += 1
        }
    }

    /// Writer fields arrive in another order: transcode them one after another into a scratch
    /// buffer, remembering where each landed, then emit them in reader order.
    func transcodeReordered(_ plan: RecordPlan, from reader: inout AvroReader, to out: inout AvroWriter) throws(AvroDecodingError) {
        var scratch = AvroWriter(capacity: min(reader.remaining, 4096) + 16)
        var ranges = [Range<Int>?](repeating: nil, count: plan.readerFieldCount)
        for step in plan.steps {
            switch step {
            case .read(let name, let readerIndex, let fieldPlan):
                let start = scratch.count
                do { try transcode(fieldPlan, from: &reader, to: &scratch) } catch { throw error.prefixed(with: name) }
                ranges[readerIndex] = start..<scratch.count
            case .skip(let name, let writerType):
                do { try skipper.skip(writerType, in: &reader) } catch { throw error.prefixed(with: name) }
            }
        }
        for (index, range) in ranges.enumerated() {
            if let range {
                out.writeRaw(scratch.bytes[range])
            } else {
                out.writeRaw(try defaultEncoding(plan, index, at: reader.offset))
            }
        }
    }
}
