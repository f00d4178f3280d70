/// The Confluent Schema Registry wire format, for teams that use a registry: the magic
/// byte `0`, the schema id (4 bytes, big-endian), then the binary body.
public enum AvroConfluentWireFormat {
    /// The magic byte.
    public static let magic: UInt8 = 0
    /// Magic byte plus schema id.
    public static let headerSize = 5

    /// The 5-byte header for a schema id.
    public static func header(schemaID: Int32) -> [UInt8] {
        let id = UInt32(bitPattern: schemaID)
        return [magic, UInt8(truncatingIfNeeded: id >> 24), UInt8(truncatingIfNeeded: id >> 16),
                UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
    }

    /// A generated value as a message with schema id `schemaID`.
    /// Throws when the value does not fit its schema exactly (see ``AvroCodable/encode(to:)``).
    public static func encode<T: AvroCodable>(_ value: T, schemaID: Int32) throws(AvroEncodingError) -> [UInt8] {
        var writer = AvroWriter(capacity: 128)
        writer.writeRaw(header(schemaID: schemaID))
        try value.encode(to: &writer)
        return writer.bytes
    }

    /// A generic value of `schema` as a message with schema id `schemaID`.
    public static func encode(_ value: AvroValue, schema: AvroSchema, schemaID: Int32) throws(AvroEncodingError) -> [UInt8] {
        var writer = AvroWriter(capacity: 128)
        writer.writeRaw(header(schemaID: schemaID))
        try AvroBinaryEncoder(schema: schema).encode(value, to: &writer)
        return writer.bytes
    }

    /// Checks the magic byte and returns the schema id; the body starts at ``headerSize``.
    public static func schemaID(of message: [UInt8]) throws(AvroDecodingError) -> Int32 {
        if let first = message.first, first != magic {
            throw AvroDecodingError(.badMagic(expected: [magic], found: [first]), offset: 0)
        }
        guard message.count >= headerSize else {
            throw AvroDecodingError(.truncated(needed: headerSize - message.count), offset: message.count)
        }
        let id = UInt32(message[1]) << 24 | UInt32(message[2]) << 16 | UInt32(message[3]) << 8 | UInt32(message[4])
        return Int32(bitPattern: id)
    }

    /// Decodes a message into `T`, resolving from the writer schema registered under the
    /// message's id in `store` (decoded directly when it is `T`'s own schema).
    public static func decode<T: AvroCodable>(_ type: T.Type, from message: [UInt8], store: AvroSchemaStore) throws(AvroDecodingError) -> T {
        let id = try schemaID(of: message)
        guard let writer = store.entry(confluentID: id) else { throw AvroDecodingError(.unknownSchemaID(id), offset: 1) }
        return try AvroFraming.decode(T.self, message, bodyOffset: headerSize, writer: writer.schema, writerFingerprint: writer.fingerprint, store: store)
    }

    /// Decodes a message into a generic value of its writer schema, or resolved to `readerSchema`.
    public static func decode(_ message: [UInt8], store: AvroSchemaStore, readerSchema: AvroSchema? = nil) throws(AvroDecodingError) -> AvroValue {
        let id = try schemaID(of: message)
        guard let writer = store.entry(confluentID: id) else { throw AvroDecodingError(.unknownSchemaID(id), offset: 1) }
        return try AvroFraming.decodeBody(message, offset: headerSize, writer: writer.schema, writerFingerprint: writer.fingerprint, reader: readerSchema, store: store)
    }

    /// Decodes a message into `T` given the writer schema its id names, resolved by the caller
    /// (e.g. fetched from a schema registry): resolved to `T`'s schema like any writer schema
    /// (decoded directly when it is `T`'s own). Pass `writerFingerprint` when it is known (it
    /// is computed otherwise) and a `store` to reuse compiled resolutions across messages.
    /// The message's id is not compared with anything: the caller looked the schema up by it.
    public static func decode<T: AvroCodable>(_ type: T.Type, from message: [UInt8], writerSchema: AvroSchema, writerFingerprint: UInt64? = nil, store: AvroSchemaStore? = nil) throws(AvroDecodingError) -> T {
        _ = try schemaID(of: message)
        var reader = AvroReader(message, offset: headerSize)
        let value = try T.decode(from: &reader, writerSchema: writerSchema, writerFingerprint: writerFingerprint ?? writerSchema.fingerprint, store: store)
        try reader.expectEnd()
        return value
    }

    /// Decodes a message into a generic value of `writerSchema` (the schema its id names), or
    /// resolved to `readerSchema` when one is given; `store` caches the compiled resolution.
    public static func decode(_ message: [UInt8], writerSchema: AvroSchema, writerFingerprint: UInt64? = nil, readerSchema: AvroSchema? = nil, store: AvroSchemaStore = AvroSchemaStore()) throws(AvroDecodingError) -> AvroValue {
        _ = try schemaID(of: message)
        return try AvroFraming.decodeBody(message, offset: headerSize, writer: writerSchema, writerFingerprint: writerFingerprint ?? writerSchema.fingerprint, reader: readerSchema, store: store)
    }
}
