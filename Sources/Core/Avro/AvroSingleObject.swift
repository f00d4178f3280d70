/// Avro single-object encoding, our default Kafka value format: the marker `C3 01`, the
/// writer schema's CRC-64-AVRO fingerprint (8 bytes, little-endian), then the binary body.
/// Readers look the writer schema up by fingerprint in an ``AvroSchemaStore``.
public enum AvroSingleObject {
    /// The two marker bytes every single-object message starts with.
    public static let marker: [UInt8] = [0xC3, 0x01]
    /// Marker plus fingerprint.
    public static let headerSize = 10

    /// The 10-byte header for a schema with this fingerprint.
    public static func header(fingerprint: UInt64) -> [UInt8] {
        marker + AvroFingerprint.littleEndianBytes(fingerprint)
    }

    /// A generated value as a single-object message.
    /// Throws when the value does not fit its schema exactly (see ``AvroCodable/encode(to:)``).
    public static func encode<T: AvroCodable>(_ value: T) throws(AvroEncodingError) -> [UInt8] {
        var writer = AvroWriter(capacity: 128)
        writer.writeRaw(header(fingerprint: T.avroFingerprint))
        try value.encode(to: &writer)
        return writer.bytes
    }

    /// A generic value as a single-object message of `schema`.
    public static func encode(_ value: AvroValue, schema: AvroSchema) throws(AvroEncodingError) -> [UInt8] {
        var writer = AvroWriter(capacity: 128)
        writer.writeRaw(header(fingerprint: schema.fingerprint))
        try AvroBinaryEncoder(schema: schema).encode(value, to: &writer)
        return writer.bytes
    }

    /// Checks the marker and returns the fingerprint; the body starts at ``headerSize``.
    public static func fingerprint(of message: [UInt8]) throws(AvroDecodingError) -> UInt64 {
        guard message.count >= headerSize else {
            if message.count >= 2, Array(message[0..<2]) != marker {
                throw AvroDecodingError(.badMagic(expected: marker, found: Array(message[0..<2])), offset: 0)
            }
            throw AvroDecodingError(.truncated(needed: headerSize - message.count), offset: message.count)
        }
        guard message[0] == marker[0], message[1] == marker[1] else {
            throw AvroDecodingError(.badMagic(expected: marker, found: Array(message[0..<2])), offset: 0)
        }
        var fingerprint: UInt64 = 0
        for i in 0..<8 { fingerprint |= UInt64(message[2 + i]) << (8 * UInt64(i)) }
        return fingerprint
    }

    /// Decodes a message into `T`. A message written with `T`'s own schema is decoded
    /// directly; any other fingerprint must be in `store` and is resolved to `T`'s schema.
    public static func decode<T: AvroCodable>(_ type: T.Type, from message: [UInt8], store: AvroSchemaStore) throws(AvroDecodingError) -> T {
        let fingerprint = try fingerprint(of: message)
        let writerSchema = fingerprint == T.avroFingerprint ? T.avroSchema : store.schema(fingerprint: fingerprint)
        guard let writerSchema else { throw AvroDecodingError(.unknownFingerprint(fingerprint), offset: 2) }
        return try AvroFraming.decode(T.self, message, bodyOffset: headerSize, writer: writerSchema, writerFingerprint: fingerprint, store: store)
    }

    /// Decodes a message into a generic value: of its writer schema, or resolved to
    /// `readerSchema` when one is given.
    public static func decode(_ message: [UInt8], store: AvroSchemaStore, readerSchema: AvroSchema? = nil) throws(AvroDecodingError) -> AvroValue {
        let fingerprint = try fingerprint(of: message)
        guard let writerSchema = store.schema(fingerprint: fingerprint) else {
            throw AvroDecodingError(.unknownFingerprint(fingerprint), offset: 2)
        }
        return try AvroFraming.decodeBody(message, offset: headerSize, writer: writerSchema, writerFingerprint: fingerprint, reader: readerSchema, store: store)
    }
}

/// Shared body decoding of the framing formats.
enum AvroFraming {
    /// Decodes a message body into `T`, from the writer schema the header named.
    static func decode<T: AvroCodable>(_: T.Type, _ message: [UInt8], bodyOffset: Int, writer: AvroSchema, writerFingerprint: UInt64, store: AvroSchemaStore) throws(AvroDecodingError) -> T {
        var reader = AvroReader(message, offset: bodyOffset)
        let value = try T.decode(from: &reader, writerSchema: writer, writerFingerprint: writerFingerprint, store: store)
        try reader.expectEnd()
        return value
    }

    /// Decodes a message body into a generic value of the writer schema, or resolved to `reader`.
    static func decodeBody(_ message: [UInt8], offset: Int, writer: AvroSchema, writerFingerprint: UInt64, reader: AvroSchema?, store: AvroSchemaStore) throws(AvroDecodingError) -> AvroValue {
        var cursor = AvroReader(message, offset: offset)
        let value: AvroValue
        if let reader, case let readerFingerprint = reader.fingerprint, readerFingerprint != writerFingerprint {
            let resolver: AvroResolvingDecoder
            do {
                resolver = try store.resolver(writer: writer, writerFingerprint: writerFingerprint, reader: reader, readerFingerprint: readerFingerprint)
            } catch {
                throw AvroDecodingError(.incompatibleSchemas(error), offset: offset)
            }
            value = try resolver.decode(from: &cursor)
        } else {
            value = try AvroBinaryDecoder(schema: writer).decode(from: &cursor)
        }
        try cursor.expectEnd()
        return value
    }
}
