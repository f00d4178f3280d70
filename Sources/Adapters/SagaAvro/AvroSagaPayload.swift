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
/// Payloads are encoded in the process's framing (``SagaAvro/wireFormat``): Avro single-object
/// encoding (`C3 01`, the writer schema's fingerprint, the body) by default. Decoding reads
/// either framing: a single-object value resolves when ``SagaAvro/schemas`` knows its writer
/// schema's fingerprint, a Confluent value (`00`, a schema id) when the id was registered there
/// (a consumer prefetches unknown ids from a schema registry before it decodes).
extension SagaPayloadCodable where Self: AvroCodable {
    /// Encodes in ``SagaAvro/wireFormat``.
    public func encodePayload() throws -> [UInt8] { try SagaAvro.encode(self) }

    /// Decodes single-object or Confluent-framed bytes, resolving an older or newer writer schema.
    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        try AvroWireFraming.decode(Self.self, from: bytes, store: SagaAvro.schemas)
    }
}

/// The Avro schemas the engine can resolve payloads against, and the framing it writes.
public enum SagaAvro {
    /// Writer schemas by fingerprint (and by Confluent schema id). Register every schema
    /// version your services may read (the generated types' schemas are registered by ``register(_:)``).
    public static let schemas = AvroSchemaStore()

    /// Registers the schemas of `types` (e.g. every generated contract type) for payload decoding.
    public static func register(_ types: [any AvroCodable.Type]) {
        for type in types { _ = schemas.register(type.avroSchema) }
    }

    struct Framing {
        var format: AvroWireFormat = .singleObject
        var schemaID: @Sendable (AvroSchema) -> Int32? = { _ in nil }
    }

    private static let framing = Mutex(Framing())

    /// The framing payloads are encoded in (``useFraming(_:schemaID:)`` sets it for the process).
    public static var wireFormat: AvroWireFormat { framing.withLock { $0.format } }

    /// Sets the framing of every payload this process encodes from now on.
    ///
    /// With ``AvroWireFormat/confluent``, `schemaID` gives the registry id of a schema; a schema
    /// it has no id for (`nil`, e.g. saga data that is no contract) stays single-object. Each id
    /// used is registered in ``schemas``, so this process decodes what it wrote.
    public static func useFraming(_ format: AvroWireFormat, schemaID: @escaping @Sendable (AvroSchema) -> Int32? = { _ in nil }) {
        framing.withLock { $0 = Framing(format: format, schemaID: schemaID) }
    }

    /// `value` in ``wireFormat``.
    public static func encode<T: AvroCodable>(_ value: T) throws -> [UInt8] {
        let current = framing.withLock { $0 }
        if current.format == .confluent, let id = current.schemaID(T.avroSchema) {
            if schemas.schema(confluentID: id) == nil { schemas.register(T.avroSchema, confluentID: id) }
            return try AvroConfluentWireFormat.encode(value, schemaID: id)
        }
        return try AvroSingleObject.encode(value)
    }

    /// The `content-type` header value that names the framing of `value`'s bytes, or `nil`
    /// when they are in neither Avro framing (e.g. an empty reply).
    public static func contentType(of value: [UInt8]) -> String? {
        guard !value.isEmpty, let framing = try? AvroWireFraming.detect(value) else { return nil }
        return framing.format.contentType
    }
}
