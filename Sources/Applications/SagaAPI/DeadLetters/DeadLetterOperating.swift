import Avro
import SagaCore

/// Reads dead letters and replays them (`GET`/`POST /dead-letters/…`): ``KafkaDeadLetterOperating``
/// where the audit trail lives (the `orchestrator` role, `all`), ``RemoteDeadLetterOperating`` over
/// HTTP to the orchestrator role (the `api` role). Answers are JSON, so a forwarded answer passes
/// through unchanged. Every replay and edit is recorded in the audit trail under ``APICaller/current``.
public protocol DeadLetterOperating: Sendable {
    /// Every DLQ topic with how many records it holds: `{topics: [{topic, source, count}]}`.
    func topics() async throws(Problem) -> JSONValue
    /// A page of the letters of a DLQ topic grouped by cause, largest first:
    /// `{groups: [{id, topic, cause, errorType, errorKind, sourceTopic, count, firstAt, lastAt}], next}`.
    func groups(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue
    /// A page of letters of a DLQ topic in partition and offset order: `{letters, next}`.
    func letters(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue
    /// One letter, or a 404.
    func letter(id: DeadLetterID) async throws(Problem) -> JSONValue
    /// Re-publishes the selected letters to their original topic: `{replayed, letters: [{id, replayId, outcome}]}`.
    func replay(_ request: DeadLetterReplayRequest) async throws(Problem) -> JSONValue
    /// Re-publishes letter `id` with `value` (Avro JSON of its schema) instead of its own: `{id, replayId, outcome}`;
    /// a value that does not fit is a 422 naming the field.
    func editAndReplay(id: DeadLetterID, value: JSONValue, note: String?) async throws(Problem) -> JSONValue
    /// A page of the replays of the letters of `topic`'s DLQ, with their outcomes: `{replays, next}`.
    func replays(_ page: DeadLetterPageRequest) async throws(Problem) -> JSONValue
}

/// Which page of a dead-letter list to read.
public struct DeadLetterPageRequest: Sendable, Hashable {
    /// The default `limit`.
    public static let defaultLimit = 100
    /// The largest `limit`.
    public static let maximumLimit = 500
    /// The DLQ topic (`x.dlq`); for replays, the DLQ of the topic replays went to.
    public var topic: String
    /// Only letters of this group (``DeadLetterGroup/Key/id``).
    public var group: String?
    /// At most this many entries.
    public var limit: Int
    /// The `next` of a previous page, nil for the first.
    public var cursor: String?

    /// Creates a page request.
    public init(topic: String, group: String? = nil, limit: Int = defaultLimit, cursor: String? = nil) {
        self.topic = topic
        self.group = group
        self.limit = limit
        self.cursor = cursor
    }

    /// As query parameters (for forwarding).
    var query: [(String, String)] {
        [("topic", topic)] + (group.map { [("group", $0)] } ?? []) + [("limit", String(limit))] + (cursor.map { [("cursor", $0)] } ?? [])
    }
}

/// What `POST /dead-letters/replays` replays: letters of one DLQ topic, chosen one way.
public struct DeadLetterReplayRequest: Sendable, Hashable {
    /// How letters are chosen.
    public enum Choice: Sendable, Hashable {
        /// These letters.
        case letters([DeadLetterID])
        /// The letters of `partition` from `fromOffset` to `toOffset`, inclusive.
        case range(partition: Int32, fromOffset: Int64, toOffset: Int64)
        /// The letters of a group.
        case group(String)
        /// Every letter.
        case all
    }

    /// The DLQ topic.
    public var topic: String
    /// Which letters.
    public var choice: Choice
    /// Why, in the operator's words (goes into the audit trail).
    public var note: String?

    /// Creates a request.
    public init(topic: String, choice: Choice, note: String? = nil) {
        self.topic = topic
        self.choice = choice
        self.note = note
    }

    /// The selection over the topic's letters.
    var selection: DeadLetterSelection {
        switch choice {
        case .letters(let ids): DeadLetterSelection(offsets: ids.map { "\($0.partition):\($0.offset)" })
        case .range(let partition, let from, let to): DeadLetterSelection(ranges: ["\(partition):\(from)-\(to)"])
        case .group(let group): DeadLetterSelection(groups: [group])
        case .all: DeadLetterSelection(all: true)
        }
    }

    /// The request body (for forwarding).
    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("topic", .string(topic))]
        switch choice {
        case .letters(let ids): members.append(("letters", .array(ids.map { .string($0.description) })))
        case .range(let partition, let from, let to):
            members += [("partition", .integer(Int64(partition))), ("fromOffset", .integer(from)), ("toOffset", .integer(to))]
        case .group(let group): members.append(("group", .string(group)))
        case .all: members.append(("all", .bool(true)))
        }
        if let note { members.append(("note", .string(note))) }
        return .object(members)
    }
}
