import SagaCore
import Avro
import Synchronization

/// Avro types (generated from the contracts) become saga payloads with an empty extension:
///
/// ```swift
/// extension ReserveStock: SagaPayloadCodable {}
/// ```
///
/// The contracts' messages (`SagaContracts.SagaMessage`) already provide `messageType` (their
/// Avro full name); any other Avro type used as a payload (e.g. saga data) declares it.
///
/// Payloads are encoded in Avro single-object encoding (`C3 01`, the writer schema's
/// fingerprint, the body). Decoding reads
/// either framing: a single-object value resolves when ``SagaAvro/schemas`` knows its writer
/// schema's fingerprint, a Confluent value (`00`, a schema id) when the id was registered there
/// (a consumer prefetches unknown ids from a schema registry before it decodes).
extension SagaPayloadCodable where Self: AvroCodable {
    /// Single-object encoding.
    public func encodePayload() throws -> [UInt8] { try SagaAvro.encode(self) }

    /// Decodes single-object or Confluent-framed bytes, resolving an older or newer writer schema.
    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        try AvroWireFraming.decode(Self.self, from: bytes, store: SagaAvro.schemas)
    }
}

/// The Avro schemas the engine can resolve payloads against, and re-framing for Confluent mode.
public enum SagaAvro {
    /// Writer schemas by fingerprint (and by Confluent schema id). Register every schema
    /// version your services may read (the generated types' schemas are registered by ``register(_:)``).
    public static let schemas = AvroSchemaStore()

    /// Registers the schemas of `types` (e.g. every generated contract type) for payload decoding.
    public static func register(_ types: [any AvroCodable.Type]) {
        for type in types { _ = schemas.register(type.avroSchema) }
    }

    /// Single-object encoding of `value` (what the engine stores and publishes; a system in
    /// Confluent mode re-frames each record as it publishes it, ``reframed(_:as:schemaID:)``).
    public static func encode<T: AvroCodable>(_ value: T) throws -> [UInt8] {
        try AvroSingleObject.encode(value)
    }

    /// `value` in `format`: a single-object value becomes Confluent-framed (the same body behind
    /// `00` and the id `schemaID` gives for its schema's fingerprint) when `format` is
    /// ``AvroWireFormat/confluent``; anything else (no id for the schema, e.g. saga data that is no
    /// contract; an empty value; another framing) is returned as it is. Each id used is registered
    /// in ``schemas`` with its schema, so this process decodes what it wrote.
    public static func reframed(
        _ value: [UInt8], as format: AvroWireFormat, schemaID: (_ fingerprint: UInt64) -> Int32?
    ) -> [UInt8] {
        guard format == .confluent, !value.isEmpty, case .singleObject(let fingerprint)? = try? AvroWireFraming.detect(value),
              let id = schemaID(fingerprint), let schema = schemas.schema(fingerprint: fingerprint)
        else { return value }
        if schemas.schema(confluentID: id) == nil { schemas.register(schema, confluentID: id) }
        let singleObjectHeader = 10  // C3 01 and the 8-byte fingerprint
        return AvroConfluentWireFormat.header(schemaID: id) + value[singleObjectHeader...]
    }

    /// The `content-type` header value that names the framing of `value`'s bytes, or `nil`
    /// when they are in neither Avro framing (e.g. an empty reply).
    public static func contentType(of value: [UInt8]) -> String? {
        guard !value.isEmpty, let framing = try? AvroWireFraming.detect(value) else { return nil }
        return framing.format.contentType
    }
}
