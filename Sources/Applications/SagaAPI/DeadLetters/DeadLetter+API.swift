import Avro
import Foundation
import SagaAvro
import SagaCore

extension DeadLetter {
    /// The letter as the API shows it: where it is, why it failed, its headers as text and its
    /// value decoded with `codec` (or `decodeError` saying why not; `valueBase64` always).
    func apiJSON(codec: AvroValueCodec) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("id", .string(id)), ("topic", .string(record.topic)), ("partition", .integer(Int64(record.partition))),
            ("offset", .integer(record.offset)),
        ]
        if record.key.isEmpty {
            members.append(("key", .null))
        } else if let text = String(validating: record.key, as: UTF8.self) {
            members.append(("key", .string(text)))
        } else {
            members += [("key", .null), ("keyBase64", .string(Data(record.key).base64EncodedString()))]
        }
        members += [
            ("cause", .string(errorMessage)), ("errorType", .string(errorType)), ("errorKind", .string(errorKind)),
            ("group", .string(groupKey.id)),
            ("sourceTopic", origin.map { .string($0.topic) } ?? .null),
            ("sourcePartition", origin.map { .integer(Int64($0.partition)) } ?? .null),
            ("sourceOffset", origin.map { .integer($0.offset) } ?? .null),
            ("consumerGroup", consumerGroup.map(JSONValue.string) ?? .null),
            ("messageType", messageType.map(JSONValue.string) ?? .null),
            ("headers", .object(record.headers.map { ($0.key, .string(Self.headerText($0))) })),
        ]
        switch codec.decode(record.value) {
        case .success(let decoded): members.append(("value", decoded.json))
        case .failure(let error):
            members.append(("value", .null))
            members.append(("decodeError", .string(error.message)))
        }
        members.append(("valueBase64", .string(Data(record.value).base64EncodedString())))
        members.append(("at", at.map(JSONValue.string) ?? .null))
        return .object(members)
    }

    /// When it was dead-lettered: the `saga-dlt-failed-at` header, else the record's timestamp.
    var at: String? {
        failedAt ?? record.timestampMilliseconds.map { SagaReport.time(Date(timeIntervalSince1970: Double($0) / 1000)) }
    }

    /// A header's value as text: the big-endian numbers of the `kafka_dlt-original-*` headers in
    /// decimal, UTF-8 as it is, other bytes as `base64:…`.
    static func headerText(_ header: SagaHeader) -> String {
        let numeric = [DeadLetterHeaders.originalPartition, DeadLetterHeaders.originalOffset, DeadLetterHeaders.originalTimestamp]
        if numeric.contains(header.key), header.value.count == 4 || header.value.count == 8 {
            let value = header.value.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            return header.value.count == 4 ? String(Int32(bitPattern: UInt32(truncatingIfNeeded: value))) : String(Int64(bitPattern: value))
        }
        if let text = String(validating: header.value, as: UTF8.self) { return text }
        return "base64:" + Data(header.value).base64EncodedString()
    }
}

extension DeadLetterGroup {
    /// The group as the API shows it.
    var apiJSON: JSONValue {
        let times = letters.compactMap(\.at).sorted()
        let dlqTopic = letters.first?.record.topic ?? ""
        return .object([
            ("id", .string(key.id)), ("topic", .string(dlqTopic)), ("cause", .string(key.errorMessage)),
            ("errorType", .string(letters.first?.errorType ?? "")), ("errorKind", .string(key.errorKind)),
            ("sourceTopic", .string(key.originalTopic)), ("count", .integer(Int64(letters.count))),
            ("firstAt", times.first.map(JSONValue.string) ?? .null), ("lastAt", times.last.map(JSONValue.string) ?? .null),
        ])
    }
}
