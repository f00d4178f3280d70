import Avro

/// Something that knows schemas by registry id: a ``SchemaRegistryClient`` (over the network)
/// or a ``ContractRegistry`` (our own contracts, in memory).
public protocol SchemaByIDSource: Sendable {
    /// The schema with this id; ``SchemaRegistryError/Kind/unknownSchemaID(_:)`` when there is
    /// none, ``SchemaRegistryError/Kind/unavailable(_:)`` when the source cannot answer now.
    func schema(id: Int32) async throws(SchemaRegistryError) -> AvroSchema
}

extension ContractRegistry: SchemaByIDSource {
    /// The contract with this id, or an unknown-id error.
    public func schema(id: Int32) async throws(SchemaRegistryError) -> AvroSchema {
        guard let entry = entry(id: id) else {
            throw SchemaRegistryError(.unknownSchemaID(id), operation: "schema by id", registry: "the contracts of this build")
        }
        return entry.schema
    }
}

/// The writer schemas of Confluent-framed values for a synchronous decode path.
///
/// Decoding is synchronous; fetching a schema is not. So a consumer first awaits
/// ``prefetch(for:)`` with the value (it returns at once when the schema is known or the value
/// is single-object), then decodes synchronously with ``decode(_:from:)``, which reads either
/// framing from ``store``. Fetched schemas are registered in ``store`` under their id and
/// their fingerprint, and stay there for good.
///
/// What ``prefetch(for:)`` throws decides the message's fate: ``SchemaRegistryError/isRetriable``
/// (registry unavailable) means retry later and report not ready; otherwise (unknown id) the
/// message can never be decoded: dead-letter it.
public final class ConfluentSchemaCache: Sendable {
    /// Where the schemas come from.
    public let source: any SchemaByIDSource
    /// The writer schemas known so far: the contracts' own (by fingerprint) and every fetched
    /// one (by id and fingerprint), plus compiled resolutions.
    public let store: AvroSchemaStore

    /// A cache over `source`, adding to `store` (which may already know the contracts' schemas).
    public init(source: any SchemaByIDSource, store: AvroSchemaStore = AvroSchemaStore()) {
        self.source = source
        self.store = store
    }

    /// The schema of this id if it is known (never fetches).
    public func schema(forID id: Int32) -> AvroSchema? { store.schema(confluentID: id) }

    /// Makes sure the schema of this id is known, fetching it when it is not.
    @discardableResult
    public func prefetch(_ id: Int32) async throws(SchemaRegistryError) -> AvroSchema {
        if let known = store.schema(confluentID: id) { return known }
        let schema = try await source.schema(id: id)
        store.register(schema, confluentID: id)
        return schema
    }

    /// Makes sure `message` can be decoded synchronously: fetches the schema of a
    /// Confluent-framed value whose id is not known yet; does nothing for any other value
    /// (a single-object value, or bytes in neither framing, which ``decode(_:from:)`` reports).
    public func prefetch(for message: [UInt8]) async throws(SchemaRegistryError) {
        guard case .confluent(let id)? = try? AvroWireFraming.detect(message) else { return }
        try await prefetch(id)
    }

    /// Decodes a value in either framing into `T` (see ``AvroWireFraming/decode(_:from:store:)``);
    /// a Confluent value's id must have been prefetched.
    public func decode<T: AvroCodable>(_ type: T.Type, from message: [UInt8]) throws(AvroDecodingError) -> T {
        try AvroWireFraming.decode(T.self, from: message, store: store)
    }
}
