import Avro
import SagaCore

/// The text and JSON output of the `dlq` commands.
enum DLQFormat {
    /// One row per letter.
    static func list(_ letters: [DeadLetter]) -> [String] {
        TextTable.render(
            header: ["DLQ P:OFFSET", "ORIGINAL", "GROUP", "KIND", "MESSAGE-ID", "FAILED AT", "ATTEMPTS", "ERROR"],
            rows: letters.map { letter in
                [letter.position, letter.originText, letter.groupKey.id, letter.errorKind, letter.messageID ?? "-",
                 letter.failedAt ?? "-", letter.attempts ?? "-",
                 letter.errorType.isEmpty ? letter.errorMessage : "\(letter.errorType): \(letter.errorMessage)"]
            })
    }

    /// One row per group, largest first.
    static func summary(_ groups: [DeadLetterGroup]) -> [String] {
        TextTable.render(
            header: ["GROUP", "COUNT", "ORIGINAL TOPIC", "KIND", "FIRST", "LAST", "OFFSETS", "MESSAGE"],
            rows: groups.map { group in
                let times = group.letters.compactMap(\.failedAt).sorted()
                return [group.key.id, String(group.letters.count), group.key.originalTopic, group.key.errorKind,
                        times.first ?? "-", times.last ?? "-", offsets(group.letters), group.key.errorMessage]
            })
    }

    /// `0:3-5,1:0` style: the DLQ positions of `letters`, ranges collapsed, at most a few shown.
    static func offsets(_ letters: [DeadLetter]) -> String {
        var parts: [String] = []
        var index = 0
        let sorted = letters.map { ($0.record.partition, $0.record.offset) }.sorted { $0 < $1 }
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1].0 == sorted[index].0, sorted[end + 1].1 == sorted[end].1 + 1 { end += 1 }
            parts.append(end == index ? "\(sorted[index].0):\(sorted[index].1)" : "\(sorted[index].0):\(sorted[index].1)-\(sorted[end].1)")
            index = end + 1
        }
        return parts.count > 4 ? parts.prefix(4).joined(separator: ",") + ",…" : parts.joined(separator: ",")
    }

    /// A group as JSON.
    static func json(_ group: DeadLetterGroup) -> JSONValue {
        let times = group.letters.compactMap(\.failedAt).sorted()
        return .object([
            ("group", .string(group.key.id)), ("count", .integer(Int64(group.letters.count))),
            ("originalTopic", .string(group.key.originalTopic)), ("errorKind", .string(group.key.errorKind)),
            ("errorMessage", .string(group.key.errorMessage)),
            ("firstFailedAt", times.first.map(JSONValue.string) ?? .null), ("lastFailedAt", times.last.map(JSONValue.string) ?? .null),
            ("positions", .array(group.letters.map { .string($0.position) })),
        ])
    }

    /// One row per letter of the API.
    static func list(api letters: [JSONValue]) -> [String] {
        TextTable.render(
            header: ["ID", "ORIGINAL", "GROUP", "KIND", "FAILED AT", "ERROR"],
            rows: letters.map { letter in
                let origin = [text(letter["sourceTopic"]), text(letter["sourcePartition"]), text(letter["sourceOffset"])]
                let type = text(letter["errorType"]), cause = text(letter["cause"])
                return [text(letter["id"]), "\(origin[0])/\(origin[1])@\(origin[2])", text(letter["group"]), text(letter["errorKind"]),
                        text(letter["at"]), type.isEmpty || type == "-" ? cause : "\(type): \(cause)"]
            })
    }

    /// One row per group of the API, largest first.
    static func summary(api groups: [JSONValue]) -> [String] {
        TextTable.render(
            header: ["GROUP", "COUNT", "ORIGINAL TOPIC", "KIND", "FIRST", "LAST", "MESSAGE"],
            rows: groups.map { group in
                [text(group["id"]), text(group["count"]), text(group["sourceTopic"]), text(group["errorKind"]),
                 text(group["firstAt"]), text(group["lastAt"]), text(group["cause"])]
            })
    }

    /// A member as table text ("-" when missing or null).
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .integer(let number)?: String(number)
        case .bool(let flag)?: String(flag)
        case nil, .null?: "-"
        case let other?: other.serialized
        }
    }
}
