import Avro
import Foundation
import SagaCore

/// The `dlq` commands over the HTTP API (`--url`/`SAGA_URL`, token from `SAGA_TOKEN`): the
/// `/dead-letters/…` routes, lists followed page by page, replays sent in batches so that many
/// letters show progress.
struct DeadLetterAPIClient: Sendable {
    /// Letters per replay request.
    static let batchSize = 50
    /// The page size of list reads.
    static let pageSize = 500

    let client: SagaAPIClient

    /// Every letter of `topic` (of `group`, when given), following `next` to the end.
    func letters(topic: String, group: String? = nil) async throws -> [JSONValue] {
        try await all("/dead-letters/letters", member: "letters", query: [("topic", topic)] + (group.map { [("group", $0)] } ?? []))
    }

    /// The groups of `topic`.
    func groups(topic: String) async throws -> [JSONValue] {
        try await all("/dead-letters/groups", member: "groups", query: [("topic", topic)])
    }

    /// Every replay of `topic`'s letters.
    func replays(topic: String) async throws -> [JSONValue] {
        try await all("/dead-letters/replays", member: "replays", query: [("topic", topic)])
    }

    /// Replays `ids` of `topic` in batches, telling `progress` how many are done after each; the per-letter results.
    func replay(topic: String, ids: [String], note: String?, progress: (Int) -> Void) async throws -> [JSONValue] {
        var results: [JSONValue] = []
        var start = 0
        while start < ids.count {
            let batch = ids[start..<min(start + Self.batchSize, ids.count)]
            var body: [(key: String, value: JSONValue)] = [("topic", .string(topic)), ("letters", .array(batch.map(JSONValue.string)))]
            if let note { body.append(("note", .string(note))) }
            guard case .array(let letters)? = try await client.post("/dead-letters/replays", json: .object(body))["letters"] else {
                throw CLIError.failed("\(client.baseURL)/dead-letters/replays answered without a letters array")
            }
            results += letters
            start += batch.count
            progress(results.count)
        }
        return results
    }

    /// Replays letter `id` with `value` (Avro JSON text) instead of its own.
    func editAndReplay(id: String, value: String, note: String?) async throws -> JSONValue {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: Array(value.utf8))
        } catch {
            throw CLIError.input("--edit is not JSON: \(error)")
        }
        var body: [(key: String, value: JSONValue)] = [("value", json)]
        if let note { body.append(("note", .string(note))) }
        return try await client.post("/dead-letters/letters/\(id)/edit-and-replay", json: .object(body))
    }

    /// A letter of the API as a selection sees it.
    struct Letter: SelectableDeadLetter {
        var id: String
        var partition: Int32
        var offset: Int64
        var messageID: String?
        var groupID: String

        init?(_ json: JSONValue) {
            guard case .string(let id)? = json["id"], case .integer(let partition)? = json["partition"],
                case .integer(let offset)? = json["offset"], case .string(let group)? = json["group"] else { return nil }
            self.id = id
            self.partition = Int32(clamping: partition)
            self.offset = offset
            self.groupID = group
            if case .string(let text)? = json["headers"]?[SagaHeaders.messageID] { messageID = text }
        }
    }

    /// The ids `selection` chooses among `letters` (API letters), in DLQ order.
    static func select(_ selection: DeadLetterSelection, from letters: [JSONValue]) throws -> [String] {
        do {
            return try selection.select(from: letters.compactMap(Letter.init)).map(\.id)
        } catch {
            throw CLIError.input(error.description)
        }
    }

    private func all(_ path: String, member: String, query: [(String, String)]) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var cursor: String?
        repeat {
            let page = try await client.get(path, query: query + [("limit", String(Self.pageSize))] + (cursor.map { [("cursor", $0)] } ?? []))
            guard case .array(let some)? = page[member] else { throw CLIError.failed("\(client.baseURL)\(path) answered without a \(member) array") }
            items += some
            if case .string(let next)? = page["next"] { cursor = next } else { cursor = nil }
        } while cursor != nil
        return items
    }
}
