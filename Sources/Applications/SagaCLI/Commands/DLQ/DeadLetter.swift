import Avro
import Foundation
import SagaCore
import SagaAvro

/// A record of a `.dlq` topic as operators see it: where it is, where it came from and why it failed.
struct DeadLetter: Sendable {
    /// The DLQ record itself.
    let record: InboundMessage
    /// Where it was consumed from (nil when the `kafka_dlt-original-*` headers are missing).
    let origin: DeadLetterRecord.Origin?

    init(_ record: InboundMessage) {
        self.record = record
        self.origin = DeadLetterRecord.origin(of: record)
    }

    var errorKind: String { record.headers.string(DeadLetterHeaders.errorKind) ?? "unknown" }
    var errorType: String { record.headers.string(DeadLetterHeaders.exceptionFQCN) ?? "" }
    var errorMessage: String { record.headers.string(DeadLetterHeaders.exceptionMessage) ?? "" }
    var service: String? { record.headers.string(DeadLetterHeaders.service) }
    var attempts: String? { record.headers.string(DeadLetterHeaders.attempts) }
    var failedAt: String? { record.headers.string(DeadLetterHeaders.failedAt) }
    var consumerGroup: String? { record.headers.string(DeadLetterHeaders.originalConsumerGroup) }
    var messageType: String? { record.headers.string(SagaHeaders.messageType) }
    var messageID: String? { record.messageID }
    /// The id of the replay that produced the original record, if it was itself a replay.
    var replayOf: String? { record.headers.string(DeadLetterHeaders.replayID) }

    /// `partition:offset` within the DLQ topic.
    var position: String { "\(record.partition):\(record.offset)" }
    /// `topic/partition@offset` of the original record, or "?".
    var originText: String { origin.map { "\($0.topic)/\($0.partition)@\($0.offset)" } ?? "?" }

    /// The group the letter belongs to in `dlq summary`: original topic, error kind and the
    /// message's pattern (``DeadLetterGroup/Key/pattern(of:)``).
    var groupKey: DeadLetterGroup.Key {
        DeadLetterGroup.Key(originalTopic: origin?.topic ?? "?", errorKind: errorKind,
            errorMessage: DeadLetterGroup.Key.pattern(of: errorMessage))
    }

    /// The letter as one JSON object (`value` is decoded when the schemas know it).
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

/// Dead letters with one cause: the same original topic, error kind and error message pattern.
struct DeadLetterGroup: Sendable {
    /// What the letters of a group share.
    struct Key: Hashable, Sendable {
        var originalTopic: String
        var errorKind: String
        var errorMessage: String

        /// `message` with what differs from letter to letter for one cause — record positions
        /// (`topic/1@42`), UUIDs, and numbers of 4 or more digits — replaced by placeholders, so
        /// that letters of one cause fall into one group.
        static func pattern(of message: String) -> String {
            message
                .replacing(/[A-Za-z0-9._-]+\/\d+@\d+/, with: { match in
                    let text = String(match.output)
                    return String(text[..<(text.lastIndex(of: "/") ?? text.endIndex)]) + "/<partition>@<offset>"
                })
                .replacing(/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/, with: "<id>")
                .replacing(/\b\d{4,}\b/, with: "<n>")
        }

        /// A short stable id for `dlq replay --group` (FNV-1a of the three parts, 8 hex digits).
        var id: String {
            var hash: UInt32 = 2_166_136_261
            for byte in "\(originalTopic)\u{0}\(errorKind)\u{0}\(errorMessage)".utf8 {
                hash = (hash ^ UInt32(byte)) &* 16_777_619
            }
            let hex = String(hash, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }
    }

    let key: Key
    let letters: [DeadLetter]

    /// Groups `letters`, largest group first.
    static func grouping(_ letters: [DeadLetter]) -> [DeadLetterGroup] {
        var order: [Key] = []
        var members: [Key: [DeadLetter]] = [:]
        for letter in letters {
            let key = letter.groupKey
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(letter)
        }
        return order.map { DeadLetterGroup(key: $0, letters: members[$0] ?? []) }
            .sorted { $0.letters.count > $1.letters.count }
    }
}
