import Avro
import Foundation
import Hummingbird
import SagaCore

/// The dead-letter routes through a ``DeadLetterOperating``: reading (`viewer`, `operator`) —
/// `GET /dead-letters/topics`, `/dead-letters/groups?topic=&limit=&cursor=`, `/dead-letters/letters?topic=&group=&limit=&cursor=`,
/// `/dead-letters/letters/{id}`, `/dead-letters/replays?topic=&limit=&cursor=` — and replaying
/// (`operator`): `POST /dead-letters/replays`, `POST /dead-letters/letters/{id}/edit-and-replay`.
public struct DeadLetterRoutes: Sendable {
    /// The routes this group registers.
    public static let routes = [
        APIRoute(.get, "/dead-letters/topics", access: .read), APIRoute(.get, "/dead-letters/groups", access: .read),
        APIRoute(.get, "/dead-letters/letters", access: .read), APIRoute(.get, "/dead-letters/letters/{id}", access: .read),
        APIRoute(.post, "/dead-letters/replays", access: .operate),
        APIRoute(.post, "/dead-letters/letters/{id}/edit-and-replay", access: .operate),
        APIRoute(.get, "/dead-letters/replays", access: .read),
    ]
    /// The longest note.
    public static let maximumNoteLength = OperatorRoutes.maximumNoteLength

    private let operating: any DeadLetterOperating

    /// Serves the routes through `operating` (``KafkaDeadLetterOperating`` where the audit trail is, ``RemoteDeadLetterOperating`` in the api role).
    public init(operating: any DeadLetterOperating) {
        self.operating = operating
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let operating = self.operating
        Self.routes[0].register(on: router) { request, _ in
            try Self.checkQuery(request.uri.queryParameters, allowed: [])
            return JSONResponse.make(status: .ok, json: try await operating.topics())
        }
        Self.routes[1].register(on: router) { request, _ in
            JSONResponse.make(status: .ok, json: try await operating.groups(try Self.page(request.uri.queryParameters, group: false)))
        }
        Self.routes[2].register(on: router) { request, _ in
            JSONResponse.make(status: .ok, json: try await operating.letters(try Self.page(request.uri.queryParameters, group: true)))
        }
        Self.routes[3].register(on: router) { _, context in
            JSONResponse.make(status: .ok, json: try await operating.letter(id: try Self.letterID(context.parameters.get("id"))))
        }
        Self.routes[4].register(on: router) { request, _ in
            let body = try Self.replayRequest(try await JSONRequestBody.json(request))
            return JSONResponse.make(status: .ok, json: try await operating.replay(body))
        }
        Self.routes[5].register(on: router) { request, context in
            let id = try Self.letterID(context.parameters.get("id"))
            let (value, note) = try Self.edit(try await JSONRequestBody.json(request))
            return JSONResponse.make(status: .ok, json: try await operating.editAndReplay(id: id, value: value, note: note))
        }
        Self.routes[6].register(on: router) { request, _ in
            JSONResponse.make(status: .ok, json: try await operating.replays(try Self.page(request.uri.queryParameters, group: false)))
        }
    }

    /// How a letter id goes into a path.
    static func pathSegment(_ id: DeadLetterID) -> String { id.description }

    /// The letter id of the path; a 400 unless it is `<topic>:<partition>:<offset>`.
    static func letterID(_ raw: String?) throws(Problem) -> DeadLetterID {
        let text = raw.map { $0.removingPercentEncoding ?? $0 } ?? ""
        guard let id = DeadLetterID(text) else {
            throw Problem.invalid([FieldError(field: "id", message: "must be a dead letter id <topic>:<partition>:<offset>, not \"\(text)\"")])
        }
        return id
    }

    /// The DLQ topic of `topic=` (a topic's name stands for its `.dlq`).
    static func topic(_ query: Parameters) throws(Problem) -> String {
        guard let text = query["topic"].map(String.init), !text.isEmpty else {
            throw Problem.invalid([FieldError(field: "topic", message: "is required (a DLQ topic, e.g. inventory.commands.dlq)")])
        }
        return dlqTopic(text)
    }

    static func dlqTopic(_ text: String) -> String { text.hasSuffix(".dlq") ? text : DeadLetterRecord.topic(for: text) }

    static func checkQuery(_ query: Parameters, allowed: [String]) throws(Problem) {
        var reader = FieldReader()
        for (name, _) in query where !allowed.contains(String(name)) {
            reader.fail(String(name), "is not a known query parameter" + (allowed.isEmpty ? "" : " (expected: \(allowed.joined(separator: ", ")))"))
        }
        try reader.check()
    }

    /// The page of a list; unknown parameters are errors.
    static func page(_ query: Parameters, group: Bool) throws(Problem) -> DeadLetterPageRequest {
        try checkQuery(query, allowed: group ? ["topic", "group", "limit", "cursor"] : ["topic", "limit", "cursor"])
        var page = DeadLetterPageRequest(topic: try topic(query))
        page.group = query["group"].map(String.init)
        page.cursor = query["cursor"].map(String.init)
        if let text = query["limit"] {
            guard let value = Int(text), (1...DeadLetterPageRequest.maximumLimit).contains(value) else {
                throw Problem.invalid([FieldError(field: "limit", message: "must be an integer from 1 to \(DeadLetterPageRequest.maximumLimit), not \"\(text)\"")])
            }
            page.limit = value
        }
        return page
    }

    /// The body of `POST /dead-letters/replays`: `topic`, exactly one of `letters`,
    /// `partition`+`fromOffset`+`toOffset`, `group`, `all: true`, and an optional `note`.
    static func replayRequest(_ body: JSONValue) throws(Problem) -> DeadLetterReplayRequest {
        var reader = FieldReader()
        let allowed: Set<String> = ["topic", "letters", "partition", "fromOffset", "toOffset", "group", "all", "note"]
        guard let object = reader.object(body, at: "", allowed: allowed), let rawTopic = reader.string(object, "topic", at: "") else {
            try reader.check()
            throw Problem.invalid([FieldError(field: "topic", message: "is required")])
        }
        let topic = dlqTopic(rawTopic)
        let note = self.note(object, &reader)
        let given = ["letters", "partition", "group", "all"].filter { object[$0] != nil && object[$0] != .null }
        var choice: DeadLetterReplayRequest.Choice?
        if given.count != 1 {
            reader.fail("body", "must choose letters one way: letters, partition+fromOffset+toOffset, group or all (\(given.isEmpty ? "none" : given.joined(separator: ", ")) given)")
        } else if given[0] == "letters", let items = reader.array(object, "letters", at: "") {
            var ids: [DeadLetterID] = []
            for (index, item) in items.enumerated() {
                if case .string(let text) = item, let id = DeadLetterID(text) { ids.append(id) } else {
                    reader.fail("letters[\(index)]", "must be a dead letter id <topic>:<partition>:<offset>")
                }
            }
            if items.isEmpty { reader.fail("letters", "must name at least one letter") }
            choice = .letters(ids)
        } else if given[0] == "partition" {
            let partition = reader.integer(object, "partition", at: ""), from = reader.integer(object, "fromOffset", at: "")
            let to = reader.integer(object, "toOffset", at: "")
            if let partition, let from, let to {
                if partition < 0 || partition > Int64(Int32.max) { reader.fail("partition", "must be a partition number") }
                if from < 0 || from > to { reader.fail("fromOffset", "must be from 0 to toOffset") }
                choice = .range(partition: Int32(clamping: partition), fromOffset: from, toOffset: to)
            }
        } else if given[0] == "group", let group = reader.string(object, "group", at: "") {
            choice = .group(group)
        } else if given[0] == "all" {
            if object["all"] != .bool(true) { reader.fail("all", "must be true") }
            choice = .all
        }
        try reader.check()
        guard let choice else { throw Problem.invalid([FieldError(field: "body", message: "chooses no letters")]) }
        return DeadLetterReplayRequest(topic: topic, choice: choice, note: note)
    }

    /// The body of edit-and-replay: `value` (required, any JSON) and an optional `note`.
    static func edit(_ body: JSONValue) throws(Problem) -> (JSONValue, String?) {
        var reader = FieldReader()
        var value: JSONValue?
        var note: String?
        if let object = reader.object(body, at: "", allowed: ["value", "note"]) {
            value = reader.member(object, "value", at: "")
            note = self.note(object, &reader)
        }
        try reader.check()
        guard let value else { throw Problem.invalid([FieldError(field: "value", message: "is required")]) }
        return (value, note)
    }

    static func note(_ object: JSONValue, _ reader: inout FieldReader) -> String? {
        guard let text = reader.string(object, "note", at: "", required: false) else { return nil }
        let note = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if note.count > maximumNoteLength { reader.fail("note", "must be at most \(maximumNoteLength) characters") }
        return note.isEmpty ? nil : note
    }
}
