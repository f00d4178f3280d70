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
    /// ``avroSchema``: the bytes are transcoded to this type's schema
    /// (``AvroResolvingDecoder/transcode(from:to:)``), then read by its own decoder.
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
        var transcoded = AvroWriter(capacity: reader.remaining + 16)
        try resolver.transcode(from: &reader, to: &transcoded)
        do {
            return try Self(avroEncoded: transcoded.bytes)
        } catch {
            // Offsets in the transcoded bytes mean nothing to the caller: report the value's start.
            throw AvroDecodingError(error.kind, offset: start, path: error.path)
        }
    }
}
