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
    @OptionGroup var store: SagaStoreOption
    @OptionGroup var schemas: SchemaDirectoryOption

    func run() async throws {
        try await runReportingErrors {
            let selection = DeadLetterSelection(offsets: offsets, messageIDs: messageIDs, ranges: ranges, groups: groups, all: all)
            var letters = try selection.select(from: try await source.read())
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
