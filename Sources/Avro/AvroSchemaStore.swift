import Synchronization

/// The writer schemas a consumer knows, by fingerprint (single-object encoding) and by
/// schema-registry id (Confluent wire format), plus a cache of compiled resolutions.
///
/// Thread-safe: all state sits behind one `Mutex`; lookups are dictionary reads, and a
/// resolution is compiled once per (writer, reader) pair, outside the lock.
public final class AvroSchemaStore: Sendable {
    struct State {
        var byFingerprint: [UInt64: AvroSchema] = [:]
        var byConfluentID: [Int32: AvroSchema] = [:]
        var resolvers: [ResolverKey: AvroResolvingDecoder] = [:]
    }

    struct ResolverKey: Hashable {
        var writer: UInt64
        var reader: UInt64
    }

    /// Guards the tables and the resolver cache.
    private let state = Mutex(State())

    /// Creates a store knowing `schemas` (by fingerprint).
    public init(_ schemas: [AvroSchema] = []) {
        for schema in schemas { register(schema) }
    }

    /// Makes `schema` known by its fingerprint; returns the fingerprint.
    @discardableResult
    public func register(_ schema: AvroSchema) -> UInt64 {
        let fingerprint = schema.fingerprint
        state.withLock { $0.byFingerprint[fingerprint] = schema }
        return fingerprint
    }

    /// Makes `schema` known by a schema-registry id (and by its fingerprint).
    public func register(_ schema: AvroSchema, confluentID: Int32) {
        let fingerprint = schema.fingerprint
        state.withLock {
            $0.byConfluentID[confluentID] = schema
            $0.byFingerprint[fingerprint] = schema
        }
    }

    /// The schema with this fingerprint, if known.
    public func schema(fingerprint: UInt64) -> AvroSchema? {
        state.withLock { $0.byFingerprint[fingerprint] }
    }

    /// The schema with this schema-registry id, if known.
    public func schema(confluentID: Int32) -> AvroSchema? {
        state.withLock { $0.byConfluentID[confluentID] }
    }

    /// The (cached) resolving decoder from `writer` to `reader`.
    public func resolver(writer: AvroSchema, reader: AvroSchema) throws(AvroResolutionError) -> AvroResolvingDecoder {
        let key = ResolverKey(writer: writer.fingerprint, reader: reader.fingerprint)
        if let cached = state.withLock({ $0.resolvers[key] }) { return cached }
        let resolver = try AvroResolvingDecoder(writer: writer, reader: reader)
        state.withLock { $0.resolvers[key] = resolver }
        return resolver
    }
}

extension AvroCodable {
    /// Decodes bytes written with `writerSchema` (e.g. an older version of this type's
    /// schema), resolving them to ``avroSchema``. When both schemas have the same canonical
    /// form this is the plain fast decode.
    public init(avroEncoded bytes: [UInt8], writerSchema: AvroSchema, store: AvroSchemaStore? = nil) throws(AvroDecodingError) {
        if writerSchema.fingerprint == Self.avroFingerprint {
            self = try Self(avroEncoded: bytes)
            return
        }
        var reader = AvroReader(bytes)
        self = try Self.resolving(&reader, writerSchema: writerSchema, store: store)
        try reader.expectEnd()
    }

    /// Reads a value written with `writerSchema` at the reader's position, resolving it to
    /// ``avroSchema`` (through the generic value model, then this type's own decoder).
    public static func resolving(_ reader: inout AvroReader, writerSchema: AvroSchema, store: AvroSchemaStore?) throws(AvroDecodingError) -> Self {
        let resolver: AvroResolvingDecoder
        do throws(AvroResolutionError) {
            if let store {
                resolver = try store.resolver(writer: writerSchema, reader: avroSchema)
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
