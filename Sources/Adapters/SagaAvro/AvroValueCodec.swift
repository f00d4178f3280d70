import Avro
import Foundation

/// Record values as JSON and back, with a set of schemas (the contracts'): a single-object or
/// Confluent-framed value decodes to its writer schema's full name and Avro JSON, and Avro JSON
/// encodes to a single-object value of a named schema. What `sagactl tail`, `dlq list --json`
/// and the API's dead-letter routes show.
public struct AvroValueCodec: Sendable {
    /// Each schema by its full name.
    public let byName: [String: AvroSchema]
    /// The full name of each schema's fingerprint.
    public let nameByFingerprint: [UInt64: String]
    /// Every schema, for single-object and Confluent lookup.
    public let store: AvroSchemaStore

    /// Uses `byName` (full name → schema); Confluent ids are those ``confluentID`` gives (none by default).
    public init(byName: [String: AvroSchema], confluentID: (AvroSchema) -> Int32? = { _ in nil }) {
        self.byName = byName
        self.nameByFingerprint = Dictionary(byName.map { ($0.value.fingerprint, $0.key) }, uniquingKeysWith: { first, _ in first })
        let store = AvroSchemaStore(Array(byName.values))
        for schema in byName.values { if let id = confluentID(schema) { store.register(schema, confluentID: id) } }
        self.store = store
    }

    /// Uses `schemas`, each under its own full name.
    public init(schemas: [AvroSchema], confluentID: (AvroSchema) -> Int32? = { _ in nil }) {
        var byName: [String: AvroSchema] = [:]
        for schema in schemas { if let name = schema.fullName?.fullName { byName[name] = schema } }
        self.init(byName: byName, confluentID: confluentID)
    }

    /// The decoded value of `bytes`: its schema's full name and the value as JSON.
    public func decode(_ bytes: [UInt8]) -> Result<(type: String, json: JSONValue), AvroValueCodecError> {
        let framing: AvroWireFraming
        do {
            framing = try AvroWireFraming.detect(bytes)
        } catch {
            return .failure(AvroValueCodecError(message: "not an Avro single-object value: \(error)"))
        }
        let writer: AvroSchema?
        switch framing {
        case .singleObject(let fingerprint):
            guard let name = nameByFingerprint[fingerprint] else {
                return .failure(AvroValueCodecError(
                    message: "unknown schema fingerprint \(String(format: "%016llx", fingerprint)) (no known schema has it)"))
            }
            writer = byName[name]
        case .confluent(let id):
            writer = store.schema(confluentID: id)
            if writer == nil { return .failure(AvroValueCodecError(message: "unknown Confluent schema id \(id)")) }
        }
        guard let writer, let name = writer.fullName?.fullName else {
            return .failure(AvroValueCodecError(message: "the value's schema has no name"))
        }
        do {
            let value = try AvroWireFraming.decode(bytes, store: store, readerSchema: writer)
            return .success((name, try AvroJSONCoder(schema: writer).encodeJSON(value)))
        } catch {
            return .failure(AvroValueCodecError(message: "cannot decode as \(name): \(error)"))
        }
    }

    /// `json` (Avro JSON of schema `type`, a full name) as a single-object value.
    ///
    /// - Throws: ``AvroValueCodecError`` naming the field that does not fit (``AvroValueCodecError/field``).
    public func encode(_ json: JSONValue, type: String) throws(AvroValueCodecError) -> [UInt8] {
        guard let schema = byName[type] else { throw AvroValueCodecError(message: "no known schema is named \(type)") }
        do {
            return try AvroSingleObject.encode(try AvroJSONCoder(schema: schema).decode(json.serialized), schema: schema)
        } catch let error as AvroError {
            if case .encoding(let encoding) = error { throw AvroValueCodecError(message: encoding.message, field: encoding.pathDescription) }
            throw AvroValueCodecError(message: error.description, field: "")
        } catch let encoding as AvroEncodingError {
            throw AvroValueCodecError(message: encoding.message, field: encoding.pathDescription)
        } catch {
            throw AvroValueCodecError(message: String(describing: error))
        }
    }
}

/// A value that could not be decoded, or JSON that does not fit its schema.
public struct AvroValueCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The path of the field that does not fit (`amount.amountMinor`), "" for the value as a whole; nil when decoding.
    public var field: String?

    /// Creates an error.
    public init(message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    /// The message, with the field when known.
    public var description: String { field.map { $0.isEmpty ? message : "\($0): \(message)" } ?? message }
}
