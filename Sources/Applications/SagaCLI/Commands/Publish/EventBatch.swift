import SagaCore
import Avro
import Foundation
import Kafka
import SagaContracts

/// A batch of events to publish, validated and encoded before anything is sent.
///
/// Input is one JSON value, a JSON array of values, or JSON Lines (one value per line; blank
/// lines are skipped). Each value is read in Avro's JSON encoding (unions as
/// `{"type": value}`) against the schema, then single-object encoded.
struct EventBatch: Sendable {
    /// One event ready to send.
    struct Record: Sendable, Hashable {
        /// Its position in the input (1-based: the line for JSON Lines, the element otherwise).
        var position: Int
        /// The Kafka key (the saga id unless overridden).
        var key: [UInt8]
        /// The single-object encoded value.
        var value: [UInt8]
        /// The contract headers.
        var headers: [KafkaHeader]
    }

    /// An input value that cannot be published.
    struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// Its position in the input (see ``Record/position``).
        var position: Int
        /// What is wrong, with the field path when the schema says it.
        var message: String

        var description: String { "record \(position): \(message)" }
    }

    /// The encoded records, in input order.
    var records: [Record] = []
    /// The values that failed validation.
    var problems: [Problem] = []

    /// The `content-type` header of single-object encoded values.
    static let contentType = SagaContracts.singleObjectContentType

    /// Validates and encodes every value of `text` as `schemaName`; `key` overrides the saga id as key.
    static func prepare(text: String, schemaName: String, schema: AvroSchema, key: String?) -> EventBatch {
        var batch = EventBatch()
        for (position, item) in split(text) {
            switch item {
            case .failure(let error):
                batch.problems.append(Problem(position: position, message: error.description))
            case .success(let json):
                do {
                    batch.records.append(try encode(json, position: position, schemaName: schemaName, schema: schema, key: key))
                } catch let problem as Problem {
                    batch.problems.append(problem)
                } catch {
                    batch.problems.append(Problem(position: position, message: String(describing: error)))
                }
            }
        }
        return batch
    }

    /// The JSON values of the input with their positions (or why one is not JSON).
    static func split(_ text: String) -> [(Int, Result<JSONValue, JSONParseError>)] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        if let whole = try? JSONValue(parsing: trimmed) {
            if case .array(let elements) = whole {
                return elements.enumerated().map { ($0.offset + 1, .success($0.element)) }
            }
            return [(1, .success(whole))]
        }
        var items: [(Int, Result<JSONValue, JSONParseError>)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineText = line.trimmingCharacters(in: .whitespaces)
            if lineText.isEmpty { continue }
            items.append((index + 1, Result { () throws(JSONParseError) -> JSONValue in try JSONValue(parsing: lineText) }))
        }
        return items
    }

    static func encode(_ json: JSONValue, position: Int, schemaName: String, schema: AvroSchema, key: String?) throws -> Record {
        let value: AvroValue
        do {
            value = try AvroJSONCoder(schema: schema).decode(json.serialized)
        } catch {
            throw Problem(position: position, message: "not a valid \(schemaName): \(error)")
        }
        let encoded: [UInt8]
        do {
            encoded = try AvroSingleObject.encode(value, schema: schema)
        } catch {
            throw Problem(position: position, message: "cannot encode as \(schemaName): \(error)")
        }
        let metadata = value.field("metadata")
        let messageID = metadata?.field("messageId")?.text
        let sagaID = metadata?.field("sagaId")?.text
        guard let recordKey = key ?? sagaID else {
            throw Problem(position: position, message: "metadata.sagaId is missing (the key); give --key")
        }
        var headers = [KafkaHeader(name: SagaHeaders.messageType, value: schemaName)]
        if let messageID { headers.append(KafkaHeader(name: SagaHeaders.messageID, value: messageID)) }
        if let sagaID { headers.append(KafkaHeader(name: SagaHeaders.sagaID, value: sagaID)) }
        if let causation = metadata?.field("causationId")?.text {
            headers.append(KafkaHeader(name: SagaHeaders.causationID, value: causation))
        }
        if let trace = metadata?.field("traceParent")?.text { headers.append(KafkaHeader(name: SagaHeaders.traceparent, value: trace)) }
        headers.append(KafkaHeader(name: SagaHeaders.contentType, value: contentType))
        return Record(position: position, key: Array(recordKey.utf8), value: encoded, headers: headers)
    }
}

extension EventBatch.Problem: Error {}

extension AvroValue {
    /// The field `name` of a record (through a union branch), or nil.
    func field(_ name: String) -> AvroValue? {
        switch self {
        case .record(let fields): fields[name]
        case .union(_, let inner): inner.field(name)
        default: nil
        }
    }

    /// The value as header text (strings and uuids; nil for null and other types).
    var text: String? {
        switch self {
        case .string(let text): text
        case .uuid(let uuid): uuid.uuidString.lowercased()
        case .union(_, let inner): inner.text
        default: nil
        }
    }
}
