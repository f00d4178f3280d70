import Avro
import Foundation

/// Decodes stored Avro payloads (single-object or Confluent-framed) into JSON with the writer
/// schemas its stores know, for people to read (`GET /sagas/{id}/timeline`). A value that
/// cannot be decoded is a ``AvroPayloadJSON/Failure`` saying why, never a thrown error.
public struct AvroPayloadJSON: Sendable {
    /// Where writer schemas are looked up, first match wins (by fingerprint, or by Confluent id).
    public let stores: [AvroSchemaStore]

    /// Decodes with the schemas of `stores` (e.g. the contracts', then ``SagaAvro/schemas`` for
    /// ids fetched from an external registry).
    public init(stores: [AvroSchemaStore]) {
        self.stores = stores
    }

    /// Why a payload could not be decoded.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The reason, in words.
        public var message: String
        public var description: String { message }
    }

    /// `bytes` as JSON: the writer schema's full name and the value in Avro's JSON encoding.
    public func decode(_ bytes: [UInt8]) -> Result<(type: String, json: JSONValue), Failure> {
        let framing: AvroWireFraming
        do {
            framing = try AvroWireFraming.detect(bytes)
        } catch {
            return .failure(Failure(message: "not an Avro single-object or Confluent-framed value: \(error)"))
        }
        var found: (store: AvroSchemaStore, schema: AvroSchema)?
        for store in stores where found == nil {
            let schema = switch framing {
            case .singleObject(let fingerprint): store.schema(fingerprint: fingerprint)
            case .confluent(let id): store.schema(confluentID: id)
            }
            if let schema { found = (store, schema) }
        }
        guard let (store, schema) = found else {
            return .failure(Failure(message: "the writer schema of this \(framing) value is unknown"))
        }
        let name = schema.fullName?.fullName ?? schema.typeName
        do {
            let value = try AvroWireFraming.decode(bytes, store: store)
            return .success((name, try AvroJSONCoder(schema: schema).encodeJSON(value)))
        } catch {
            return .failure(Failure(message: "cannot decode as \(name): \(error)"))
        }
    }
}
