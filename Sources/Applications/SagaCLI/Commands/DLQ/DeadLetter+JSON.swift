import Avro
import SagaCore

extension DeadLetter {
    /// The letter as one JSON object of `dlq list --json` (`value` is decoded when the schemas know it).
    func json(renderer: RecordRenderer?) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("dlqTopic", .string(record.topic)), ("partition", .integer(Int64(record.partition))),
            ("offset", .integer(record.offset)),
            ("originalTopic", origin.map { .string($0.topic) } ?? .null),
            ("originalPartition", origin.map { .integer(Int64($0.partition)) } ?? .null),
            ("originalOffset", origin.map { .integer($0.offset) } ?? .null),
            ("group", .string(groupKey.id)),
            ("errorKind", .string(errorKind)), ("errorType", .string(errorType)), ("errorMessage", .string(errorMessage)),
            ("service", service.map(JSONValue.string) ?? .null), ("consumerGroup", consumerGroup.map(JSONValue.string) ?? .null),
            ("attempts", attempts.map(JSONValue.string) ?? .null), ("failedAt", failedAt.map(JSONValue.string) ?? .null),
            ("messageType", messageType.map(JSONValue.string) ?? .null), ("messageId", messageID.map(JSONValue.string) ?? .null),
            ("key", RecordRenderer.text(record.key)),
        ]
        if let renderer {
            switch renderer.decode(record.value) {
            case .success(let decoded): members.append(("value", decoded.json))
            case .failure(let error):
                members.append(("valueError", .string(error.message)))
                members.append(("valueHex", .string(RecordRenderer.hex(record.value))))
            }
        }
        return .object(members)
    }
}
