import Avro
import Foundation
import Kafka
import Logging
import SagaAvro
import SagaCore
import SagaKafka

/// Dead letters read from Kafka and replayed to it (``DeadLetterQueue``, ``DeadLetterPublisher``),
/// values decoded and edits encoded with the contracts' schemas (``AvroValueCodec``), each replay
/// and edit recorded in an ``AuditTrail`` (the orchestrator's store, whose outbox publishes it to
/// the audit topic). Nothing is read from a service's store: a replay's outcome is derived from
/// Kafka (``DeadLetterQueue/replays(of:)``).
///
/// Every list reads its topic to the end it had when the request came (``DeadLetterQueue``), then
/// answers one page of it.
public struct KafkaDeadLetterOperating: DeadLetterOperating {
    let queue: DeadLetterQueue
    let admin: KafkaAdmin
    let publisher: DeadLetterPublisher
    let codec: AvroValueCodec
    let trail: any AuditTrail
    let auditTopic: String?
    let sourceTopics: Set<String>?
    let afterRecording: @Sendable () async -> Void
    let logger: Logger

    /// Reads through `queue` and `admin` (topic names), replays through `publisher`, decodes and
    /// encodes values with `codec`, records in `trail` and publishes entries to `auditTopic`
    /// (nil: not published); `afterRecording` runs after each entry is recorded (ring the outbox).
    /// ``topics()`` lists the dead-letter topics of `sourceTopics` (the topics the system consumes)
    /// that exist; nil lists every `.dlq` topic on the broker, also other systems' sharing it.
    public init(
        queue: DeadLetterQueue, admin: KafkaAdmin, publisher: DeadLetterPublisher, codec: AvroValueCodec,
        trail: any AuditTrail, auditTopic: String?, sourceTopics: [String]? = nil,
        afterRecording: @escaping @Sendable () async -> Void = {},
        logger: Logger = Logger(label: "saga.dead-letters")
    ) {
        self.queue = queue
        self.admin = admin
        self.publisher = publisher
        self.codec = codec
        self.trail = trail
        self.auditTopic = auditTopic
        self.sourceTopics = sourceTopics.map(Set.init)
        self.afterRecording = afterRecording
        self.logger = logger
    }

    public func topics() async throws(Problem) -> JSONValue {
        let names: [String]
        do {
            let sources = sourceTopics
            names = try await admin.listTopics().map(\.name).filter { name in
                guard name.hasSuffix(".dlq") else { return false }
                return sources?.contains(String(name.dropLast(".dlq".count))) ?? true
            }.sorted()
        } catch {
            throw Self.problem(error, "listing the topics")
        }
        var topics: [JSONValue] = []
        for name in names {
            let count: Int64
            do {
                count = try await queue.reader.watermarks(of: name, timeout: queue.timeout).reduce(Int64(0)) { $0 + max(0, $1.high - $1.low) }
            } catch {
                throw Self.problem(error, "reading the watermarks of \(name)")
            }
            topics.append(.object([("topic", .string(name)), ("source", .string(String(name.dropLast(".dlq".count)))), ("count", .integer(count))]))
        }
        return .object([("topics", .array(topics))])
    }

    public func groups(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue {
        let groups = DeadLetterGroup.grouping(try await letters(of: page.topic))
        // Groups have no position in the topic: the cursor counts the groups of earlier pages.
        var start = 0
        if let cursor = page.cursor {
            guard let count = Int(cursor), count >= 0 else {
                throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor of this list (use the `next` of a previous page)")])
            }
            start = min(count, groups.count)
        }
        let end = min(start + page.limit, groups.count)
        let next: JSONValue = end < groups.count ? .string(String(end)) : .null
        return .object([("groups", .array(groups[start..<end].map(\.apiJSON))), ("next", next)])
    }

    public func letters(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue {
        var letters = try await letters(of: page.topic)
        if let group = page.group { letters = letters.filter { $0.groupKey.id == group } }
        let (items, next) = try Self.page(letters, page) { ($0.record.partition, $0.record.offset) }
        return .object([("letters", .array(items.map { $0.apiJSON(codec: codec) })), ("next", next.map(JSONValue.string) ?? .null)])
    }

    public func letter(id: DeadLetterID) async throws(Problem) -> JSONValue {
        try await find(id).apiJSON(codec: codec)
    }

    public func replays(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue {
        let source = String(page.topic.dropLast(".dlq".count))
        let replays: [DeadLetterReplay]
        do {
            replays = try await queue.replays(of: source)
        } catch {
            throw Self.problem(error, "reading the replays on \(source)")
        }
        let (items, next) = try Self.page(replays, page) { ($0.partition, $0.offset) }
        return .object([("replays", .array(items.map(Self.json))), ("next", next.map(JSONValue.string) ?? .null)])
    }

    /// Every letter of DLQ topic `topic`.
    func letters(of topic: String) async throws(Problem) -> [DeadLetter] {
        do {
            return try await queue.letters(of: topic)
        } catch {
            throw Self.problem(error, "reading \(topic)")
        }
    }

    /// Letter `id`, or a 404.
    func find(_ id: DeadLetterID) async throws(Problem) -> DeadLetter {
        guard let letter = try await letters(of: id.topic).first(where: { $0.record.partition == id.partition && $0.record.offset == id.offset })
        else { throw Problem(.notFound, detail: "\(id.topic) has no dead letter at partition \(id.partition), offset \(id.offset)") }
        return letter
    }

    /// The page of `items` (in partition and offset order) after the cursor, and the cursor of the next page.
    /// A cursor is the `partition:offset` of the last item of the previous page.
    static func page<Item>(_ items: [Item], _ page: DeadLetterPageRequest, position: (Item) -> (Int32, Int64))
        throws(Problem) -> ([Item], String?)
    {
        var rest = items[...]
        if let cursor = page.cursor {
            let parts = cursor.split(separator: ":")
            guard parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]) else {
                throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor of this list (use the `next` of a previous page)")])
            }
            rest = rest.drop { position($0) <= (partition, offset) }
        }
        let chosen = Array(rest.prefix(page.limit))
        guard rest.count > page.limit, let last = chosen.last else { return (chosen, nil) }
        let (partition, offset) = position(last)
        return (chosen, "\(partition):\(offset)")
    }

    static func json(_ replay: DeadLetterReplay) -> JSONValue {
        .object([
            ("replayId", .string(replay.replayID)), ("letterId", replay.letterID.map(JSONValue.string) ?? .null),
            ("at", replay.at.map { .string(SagaReport.time($0)) } ?? .null), ("actor", replay.actor.map(JSONValue.string) ?? .null),
            ("outcome", .string(replay.outcome.rawValue)), ("partition", .integer(Int64(replay.partition))),
            ("offset", .integer(replay.offset)),
        ])
    }

    /// The problem of a failed Kafka read: 404 for a topic that does not exist, else 503.
    static func problem(_ error: KafkaError, _ what: String) -> Problem {
        if error.code == .unknownTopicOrPartition {
            return Problem(.notFound, detail: "\(what): topic \(error.topic ?? "?") does not exist")
        }
        return Problem(.brokerUnavailable, detail: "\(what) failed: \(error)")
    }
}
