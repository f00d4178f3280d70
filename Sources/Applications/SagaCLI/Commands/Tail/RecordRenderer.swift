import Avro
import Foundation
import Kafka
import SagaCore
import SagaAvro

/// Turns a consumed record into one JSON object: where it is, its key and headers, and its
/// value decoded with the writer schema its single-object header names. A value that cannot be
/// decoded becomes an `error` member plus the raw bytes (hex and base64), never a failure.
struct RecordRenderer: Sendable {
    let schemas: ContractSchemas

    /// The decoded value of `bytes`: the schema's full name and the value as JSON.
    func decode(_ bytes: [UInt8]) -> Result<(type: String, json: JSONValue), RenderError> {
        schemas.codec.decode(bytes).mapError { RenderError(message: $0.message) }
    }

    /// The JSON object of `message`.
    func render(_ message: KafkaConsumerMessage) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("topic", .string(message.topic)),
            ("partition", .integer(Int64(message.partition))),
            ("offset", .integer(message.offset)),
        ]
        if let timestamp = message.timestampMilliseconds { members.append(("timestamp", .integer(timestamp))) }
        members.append(("key", message.key.map(Self.text) ?? .null))
        members.append(("headers", .object(message.headers.map { ($0.name, $0.value.map(Self.text) ?? .null) })))
        guard let value = message.value else {
            members.append(("value", .null))
            return .object(members)
        }
        switch decode(value) {
        case .success(let decoded):
            members.append(("type", .string(decoded.type)))
            members.append(("value", decoded.json))
        case .failure(let error):
            members.append(("error", .string(error.message)))
            members.append(("valueHex", .string(Self.hex(value))))
            members.append(("valueBase64", .string(Data(value).base64EncodedString())))
        }
        return .object(members)
    }

    /// UTF-8 text as a string; other bytes as `{"hex": "…"}`.
    static func text(_ bytes: [UInt8]) -> JSONValue {
        if let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
        return .object([("hex", .string(hex(bytes)))])
    }

    /// Lower-case hex digits of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String { SagaReport.hex(bytes) }
}

/// Why a value could not be decoded.
struct RenderError: Error, Sendable {
    var message: String
}
