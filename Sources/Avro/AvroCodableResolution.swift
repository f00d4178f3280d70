extension AvroCodable {
    /// Decodes bytes written with `writerSchema` (e.g. an older version of this type's
    /// schema), resolving them to ``avroSchema``. When both schemas have the same canonical
    /// form this is the plain fast decode. Pass a `store` to reuse compiled resolutions
    /// (the writer schema's fingerprint is still computed per call; framed messages carry it).
    public init(avroEncoded bytes: [UInt8], writerSchema: AvroSchema, store: AvroSchemaStore? = nil) throws(AvroDecodingError) {
        var reader = AvroReader(bytes)
        self = try Self.decode(from: &reader, writerSchema: writerSchema, writerFingerprint: writerSchema.fingerprint, store: store)
        try reader.expectEnd()
    }

    /// Reads a value written with `writerSchema` at the reader's position, resolving it to
    /// ``avroSchema`` (through the generic value model, then this type's own decoder).
    public static func resolving(_ reader: inout AvroReader, writerSchema: AvroSchema, store: AvroSchemaStore?) throws(AvroDecodingError) -> Self {
        try decode(from: &reader, writerSchema: writerSchema, writerFingerprint: writerSchema.fingerprint, store: store)
    }

    /// The fast decode when the writer schema is ours, else resolution.
    static func decode(from reader: inout AvroReader, writerSchema: AvroSchema, writerFingerprint: UInt64, store: AvroSchemaStore?) throws(AvroDecodingError) -> Self {
        if writerFingerprint == avroFingerprint { return try Self(from: &reader) }
        let resolver: AvroResolvingDecoder
        do throws(AvroResolutionError) {
            if let store {
                resolver = try store.resolver(writer: writerSchema, writerFingerprint: writerFingerprint, reader: avroSchema, readerFingerprint: avroFingerprint)
            } else {
                resolver = try AvroResolvingDecoder(writer: writerSchema, reader: avroSchema)
            }
        } catch {
            throw AvroDecodingError(.incompatibleSchemas(error), offset: reader.offset)
        }
        let start = reader.offset
        let value = try resolver.decode(from: &reader)
        let transcoded: [UInt8]
        do {
            transcoded = try AvroBinaryEncoder(schema: avroSchema).encode(value)
        } catch {
            throw AvroDecodingError(.unresolvable("resolved value does not fit \(avroSchema.unionBranchName): \(error)"), offset: start)
        }
        do {
            return try Self(avroEncoded: transcoded)
        } catch {
            throw AvroDecodingError(error.kind, offset: start, path: error.path)
        }
    }
}
