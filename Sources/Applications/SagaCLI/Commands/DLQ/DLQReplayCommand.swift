import ArgumentParser
import Avro
import Kafka
import SagaCore
import SagaKafka

/// `sagactl dlq replay TOPIC`.
struct DLQReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-publish selected dead letters to their original topic and partition.",
        discussion: """
            Each replay is recorded in the saga store of the service that consumes the original \
            topic (--store, env SAGA_STORE), which later records whether it succeeded or was \
            dead-lettered again. A letter already replayed is refused unless --force. The replayed \
            record keeps its key and headers, loses the error headers and gains saga-replay-id.

            With --url (or SAGA_URL; an operator token in SAGA_TOKEN) the replay goes through the HTTP \
            API instead: no store is needed, --force does not apply (the API replays every letter \
            asked for), --note goes into the audit trail, and outcomes are read with dlq replays.
            """
    )

    @OptionGroup var source: DLQSource
    @Option(name: .customLong("offset"), help: "A letter by [PARTITION:]OFFSET in the DLQ (repeatable).") var offsets: [String] = []
    @Option(name: .customLong("message-id"), help: "Letters by message-id header (repeatable).") var messageIDs: [String] = []
    @Option(name: .customLong("range"), help: "Letters by DLQ offsets [PARTITION:]FIRST-LAST (repeatable).") var ranges: [String] = []
    @Option(name: .customLong("group"), help: "Every letter of a group of dlq summary (repeatable).") var groups: [String] = []
    @Flag(help: "Every letter.") var all = false
    @Flag(help: "Show what would be replayed; publish and record nothing.") var dryRun = false
    @Flag(help: "Replay letters that were replayed before.") var force = false
    @Flag(help: "Print JSON Lines: one object per letter (position, origin, outcome, replay id or reason).") var json = false
    @Option(help: "Replay the one selected letter with this corrected value (Avro JSON, validated against its message-type).")
    var edit: String?
    @Option(help: "Why (over the API: recorded in the audit trail with each replay).") var note: String?
    @OptionGroup var store: SagaStoreOption
    @OptionGroup var schemas: SchemaDirectoryOption

    func run() async throws {
        try await runReportingErrors {
            let selection = DeadLetterSelection(offsets: offsets, messageIDs: messageIDs, ranges: ranges, groups: groups, all: all)
            if let api = try source.apiClient() {
                try await replay(selection, through: api)
                return
            }
            var letters: [DeadLetter]
            do {
                letters = try selection.select(from: try await source.read())
            } catch let error as DeadLetterSelectionError {
                throw CLIError.input(error.description)
            }
            if let edit {
                guard letters.count == 1, let letter = letters.first else {
                    throw CLIError.input("--edit needs exactly one selected letter; \(letters.count) selected")
                }
                letters = [try DeadLetterEditor(schemas: try schemas.load()).replacingValue(of: letter, with: edit)]
            }
            if dryRun {
                for letter in letters {
                    StandardStreams.writeLine(json
                        ? JSONValue.object([("position", .string(letter.position)), ("origin", .string(letter.originText)),
                                            ("outcome", .string("dryRun")), ("edited", .bool(edit != nil))]).serialized
                        : "would replay \(letter.position) to \(letter.originText)" + (edit == nil ? "" : " (edited value)"))
                }
                StandardStreams.writeError("sagactl: \(letters.count) letter(s) selected; nothing replayed (--dry-run)")
                return
            }
            let producer = try KafkaClients.producer(try source.connection.configuration())
            let replayer = DeadLetterReplayer(producer: producer, store: try store.open())
            // Many letters: a progress bar on a terminal's standard error.
            var bar = ProgressBar(total: letters.count, label: "replaying", threshold: 50)
            let results = await DeadLetterReplays(replayer: replayer).replay(letters, force: force) { done in bar.update(done) }
            bar.finish()
            await producer.shutdown()
            for result in results { StandardStreams.writeLine(json ? result.json.serialized : result.line) }
            let refused = results.filter(\.isRefused).count, failed = results.filter(\.isFailed).count
            StandardStreams.writeError("sagactl: \(results.count - refused - failed) replayed, \(refused) refused, \(failed) failed")
            if refused > 0 || failed > 0 {
                throw CLIError.failed(refused > 0 ? "some letters were replayed before; --force replays them again" : "some replays failed")
            }
        }
    }
}

extension DLQReplayCommand {
    /// The replay over the HTTP API: the selection resolved against the API's letters, then
    /// replayed in batches (progress on standard error) or, with --edit, the one letter edited.
    func replay(_ selection: DeadLetterSelection, through api: DeadLetterAPIClient) async throws {
        let ids = try DeadLetterAPIClient.select(selection, from: try await api.letters(topic: source.dlqTopic))
        if let edit {
            guard ids.count == 1, let id = ids.first else { throw CLIError.input("--edit needs exactly one selected letter; \(ids.count) selected") }
            if dryRun {
                StandardStreams.writeLine(json ? JSONValue.object([("id", .string(id)), ("outcome", .string("dryRun")), ("edited", .bool(true))]).serialized
                    : "would replay \(id) (edited value)")
                return
            }
            let result = try await api.editAndReplay(id: id, value: edit, note: note)
            StandardStreams.writeLine(json ? result.serialized : Self.line(result))
            return
        }
        if dryRun {
            for id in ids {
                StandardStreams.writeLine(json ? JSONValue.object([("id", .string(id)), ("outcome", .string("dryRun"))]).serialized : "would replay \(id)")
            }
            StandardStreams.writeError("sagactl: \(ids.count) letter(s) selected; nothing replayed (--dry-run)")
            return
        }
        var bar = ProgressBar(total: ids.count, label: "replaying", threshold: 50)
        let results = try await api.replay(topic: source.dlqTopic, ids: ids, note: note) { done in bar.update(done) }
        bar.finish()
        for result in results { StandardStreams.writeLine(json ? result.serialized : Self.line(result)) }
        let failed = results.filter { $0["outcome"] != .string("pending") }.count
        StandardStreams.writeError("sagactl: \(results.count - failed) replayed, \(failed) failed")
        if failed > 0 { throw CLIError.failed("some replays were not published") }
    }

    /// `replayed <id> replay-id <replayId> (pending)`.
    static func line(_ result: JSONValue) -> String {
        let outcome = DLQFormat.text(result["outcome"])
        return (outcome == "pending" ? "replayed " : "failed ") + "\(DLQFormat.text(result["id"])) replay-id \(DLQFormat.text(result["replayId"])) (\(outcome))"
            + (result["error"].map { ": " + DLQFormat.text($0) } ?? "")
    }
}

/// Replays letters one by one, turning each outcome into a result line.
struct DeadLetterReplays: Sendable {
    /// How one letter's replay went.
    enum Result: Sendable {
        case replayed(DeadLetter, ReplayRecord)
        case refused(DeadLetter, previousReplayID: String)
        case failed(DeadLetter, String)

        var isRefused: Bool { if case .refused = self { true } else { false } }
        var isFailed: Bool { if case .failed = self { true } else { false } }

        /// The result as one JSON object.
        var json: JSONValue {
            switch self {
            case .replayed(let letter, let record):
                .object([("position", .string(letter.position)), ("origin", .string(letter.originText)), ("outcome", .string("replayed")),
                         ("replayId", .string(record.request.replayID)), ("forced", .bool(record.forced))])
            case .refused(let letter, let previous):
                .object([("position", .string(letter.position)), ("origin", .string(letter.originText)), ("outcome", .string("refused")),
                         ("previousReplayId", .string(previous))])
            case .failed(let letter, let message):
                .object([("position", .string(letter.position)), ("origin", .string(letter.originText)), ("outcome", .string("failed")),
                         ("error", .string(message))])
            }
        }

        var line: String {
            switch self {
            case .replayed(let letter, let record):
                "replayed \(letter.position) to \(letter.originText) replay-id \(record.request.replayID)\(record.forced ? " (forced)" : "")"
            case .refused(let letter, let previous):
                "refused \(letter.position): already replayed as \(previous) (--force replays it again)"
            case .failed(let letter, let message):
                "failed \(letter.position): \(message)"
            }
        }
    }

    let replayer: DeadLetterReplayer

    /// Replays `letters` in order, telling `progress` how many are done after each.
    func replay(_ letters: [DeadLetter], force: Bool, progress: (Int) -> Void = { _ in }) async -> [Result] {
        var results: [Result] = []
        for letter in letters {
            defer { progress(results.count) }
            do {
                results.append(.replayed(letter, try await replayer.replay(letter.record, force: force)))
            } catch SagaStoreError.alreadyReplayed(_, _, _, let previous) {
                results.append(.refused(letter, previousReplayID: previous))
            } catch {
                results.append(.failed(letter, String(describing: error)))
            }
        }
        return results
    }
}

/// Replaces a letter's value with a corrected one given as Avro JSON.
struct DeadLetterEditor: Sendable {
    let schemas: ContractSchemas

    func replacingValue(of letter: DeadLetter, with json: String) throws -> DeadLetter {
        guard let type = letter.messageType else {
            throw CLIError.input("\(letter.position) has no message-type header: cannot tell which schema the edit must follow")
        }
        let (name, schema) = try schemas.schema(named: type)
        let value: AvroValue
        do {
            value = try AvroJSONCoder(schema: schema).decode(json)
        } catch {
            throw CLIError.input("--edit is not a valid \(name): \(error)")
        }
        var record = letter.record
        do {
            record.value = try AvroSingleObject.encode(value, schema: schema)
        } catch {
            throw CLIError.input("--edit cannot be encoded as \(name): \(error)")
        }
        return DeadLetter(record)
    }
}
