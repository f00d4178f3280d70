import Synchronization

/// The writer schemas a consumer knows, by fingerprint (single-object encoding) and by
/// schema-registry id (Confluent wire format), plus a cache of compiled resolutions.
///
/// Thread-safe: all state sits behind one `Mutex`; lookups are dictionary reads, and a
/// resolution is compiled once per (writer, reader) pair, outside the lock. Fingerprints are
/// computed once, at registration, never per message.
public final class AvroSchemaStore: Sendable {
    /// A known writer schema and its fingerprint.
    struct Entry {
        var schema: AvroSchema
        var fingerprint: UInt64
    }

    struct State {
        var byFingerprint: [UInt64: AvroSchema] = [:]
        var byConfluentID: [Int32: Entry] = [:]
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
            $0.byConfluentID[confluentID] = Entry(schema: schema, fingerprint: fingerprint)
            $0.byFingerprint[fingerprint] = schema
        }
    }

    /// The schema with this fingerprint, if known.
    public func schema(fingerprint: UInt64) -> AvroSchema? {
        state.withLock { $0.byFingerprint[fingerprint] }
    }

    /// The schema with this schema-registry id, if known.
    public func schema(confluentID: Int32) -> AvroSchema? {
        state.withLock { $0.byConfluentID[confluentID]?.schema }
    }

    func entry(confluentID: Int32) -> Entry? {
        state.withLock { $0.byConfluentID[confluentID] }
    }

    /// The (cached) resolving decoder from `writer` to `reader`.
    public func resolver(writer: AvroSchema, reader: AvroSchema) throws(AvroResolutionError) -> AvroResolvingDecoder {
        try resolver(writer: writer, writerFingerprint: writer.fingerprint, reader: reader, readerFingerprint: reader.fingerprint)
    }

    func resolver(writer: AvroSchema, writerFingerprint: UInt64, reader: AvroSchema, readerFingerprint: UInt64) throws(AvroResolutionError) -> AvroResolvingDecoder {
        let key = ResolverKey(writer: writerFingerprint, reader: readerFingerprint)
        if let cached = state.withLock({ $0.resolvers[key] }) { return cached }
        let resolver = try AvroResolvingDecoder(writer: writer, reader: reader)
        state.withLock { $0.resolvers[key] = resolver }
        return resolver
    }
}
