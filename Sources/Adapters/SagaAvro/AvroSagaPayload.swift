import SagaCore
import Avro

/// Avro types (generated from the contracts) become saga payloads with an empty extension:
///
/// ```swift
/// extension ReserveStock: SagaPayloadCodable {}
/// ```
///
/// The contracts' messages (`SagaContracts.SagaMessage`) already provide `messageType` (their
/// Avro full name); any other Avro type used as a payload (e.g. saga data) declares it.
///
/// Payloads use Avro single-object encoding (`C3 01`, the writer schema's fingerprint, the
/// body). A payload written with another version of the schema is resolved against this one
/// when ``SagaAvro/schemas`` knows the writer schema's fingerprint.
extension SagaPayloadCodable where Self: AvroCodable {
    /// Single-object encoding.
    public func encodePayload() throws -> [UInt8] { try AvroSingleObject.encode(self) }

    /// Decodes single-object encoded bytes, resolving an older or newer writer schema.
    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        try AvroSingleObject.decode(Self.self, from: bytes, store: SagaAvro.schemas)
    }
}

/// The Avro schemas the engine can resolve payloads against.
public enum SagaAvro {
    /// Writer schemas by fingerprint. Register every schema version your services may read
    /// (the generated types' schemas are registered by ``register(_:)``).
    public static let schemas = AvroSchemaStore()

    /// Registers the schemas of `types` (e.g. every generated contract type) for payload decoding.
    public static func register(_ types: [any AvroCodable.Type]) {
        for type in types { _ = schemas.register(type.avroSchema) }
    }
}
