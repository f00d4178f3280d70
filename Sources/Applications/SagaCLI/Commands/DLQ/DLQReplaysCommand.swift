import ArgumentParser
import Avro
import Kafka
import SagaCore
import SagaAvro

/// `sagactl dlq replays TOPIC`.
struct DLQReplaysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replays",
        abstract: "Show the replays of a topic's dead letters and whether each then succeeded or failed again.",
        discussion: """
            Replayed records are found on the original TOPIC by their saga-replay-id header (read \
            from the beginning to the end it had when reading started; if that end is not \
            reached within --timeout seconds the command fails, naming the unfinished partitions); each replay's outcome is what the consuming service recorded in \
            its store (--store, env SAGA_STORE): pending, succeeded, deadLetteredAgain or notPublished.

            With --url (or SAGA_URL) the API answers instead, from Kafka alone: a replay is \
            deadLetteredAgain when the DLQ holds a record with its replay id, succeeded when the \
            consuming group committed past it, else pending. No store is needed.
            """
    )

    @Argument(help: "The original topic (a .dlq suffix is dropped).") var topic: String
    @Option(help: "Seconds to read TOPIC to its end before failing.") var timeout: Double = DLQSource.defaultTimeout
    @Flag(help: "Print JSON Lines.") var json = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var store: SagaStoreOption
    @OptionGroup var api: APIOption

    func run() async throws {
        try await runReportingErrors {
            let original = topic.hasSuffix(".dlq") ? String(topic.dropLast(".dlq".count)) : topic
            if let client = try api.client() {
                let replays = try await DeadLetterAPIClient(client: client).replays(topic: original)
                if json {
                    for replay in replays { StandardStreams.writeLine(replay.serialized) }
                } else {
                    for line in Self.table(api: replays) { StandardStreams.writeLine(line) }
                }
                return
            }
            let records = try await connection.readWhole(original, timeoutSeconds: timeout)
            let replays = try await ReplayLookup(store: try store.open()).replays(in: records)
            if json {
                for replay in replays { StandardStreams.writeLine(ReplayLookup.json(replay).serialized) }
            } else {
                for line in ReplayLookup.table(replays) { StandardStreams.writeLine(line) }
            }
        }
    }
}

extension DLQReplaysCommand {
    /// One row per replay of the API.
    static func table(api replays: [JSONValue]) -> [String] {
        TextTable.render(
            header: ["REPLAY ID", "LETTER", "AT P:OFFSET", "REQUESTED", "BY", "OUTCOME"],
            rows: replays.map { replay in
                [DLQFormat.text(replay["replayId"]), DLQFormat.text(replay["letterId"]),
                 "\(DLQFormat.text(replay["partition"])):\(DLQFormat.text(replay["offset"]))", DLQFormat.text(replay["at"]),
                 DLQFormat.text(replay["actor"]), DLQFormat.text(replay["outcome"])]
            })
    }
}

/// Finds the replay records of replayed Kafka records.
struct ReplayLookup: Sendable {
    /// A replayed record and what the store says about its replay (nil: not in this store).
    struct Replay: Sendable {
        var replayID: String
        var position: String
        var record: ReplayRecord?
    }

    let store: any SagaStore

    /// The replays of `records` that carry a `saga-replay-id` header, in topic order.
    func replays(in records: [KafkaConsumerMessage]) async throws -> [Replay] {
        var result: [Replay] = []
        for message in records.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
            guard let replayID = message.header(DeadLetterHeaders.replayID)?.stringValue else { continue }
            do {
                result.append(Replay(replayID: replayID, position: "\(message.partition):\(message.offset)",
                                     record: try await store.replay(id: replayID)))
            } catch {
                throw CLIError.input("cannot read replay \(replayID) from the store: \(error)")
            }
        }
        return result
    }

    static func table(_ replays: [Replay]) -> [String] {
        TextTable.render(
            header: ["REPLAY ID", "AT P:OFFSET", "FROM DLQ", "REQUESTED", "FORCED", "OUTCOME", "OUTCOME AT", "DETAIL"],
            rows: replays.map { replay in
                guard let record = replay.record else {
                    return [replay.replayID, replay.position, "?", "-", "-", "not in this store", "-", ""]
                }
                return [replay.replayID, replay.position,
                        "\(record.request.dlqTopic)/\(record.request.dlqPartition)@\(record.request.dlqOffset)",
                        SagaReport.time(record.request.requestedAt), record.forced ? "yes" : "no", record.outcome.rawValue,
                        record.outcomeAt.map(SagaReport.time) ?? "-", record.detail ?? ""]
            })
    }

    static func json(_ replay: Replay) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("replayId", .string(replay.replayID)), ("position", .string(replay.position))]
        if let record = replay.record {
            members += [
                ("dlqTopic", .string(record.request.dlqTopic)), ("dlqPartition", .integer(Int64(record.request.dlqPartition))),
                ("dlqOffset", .integer(record.request.dlqOffset)), ("requestedAt", .string(SagaReport.time(record.request.requestedAt))),
                ("forced", .bool(record.forced)), ("outcome", .string(record.outcome.rawValue)),
                ("outcomeAt", record.outcomeAt.map { .string(SagaReport.time($0)) } ?? .null),
                ("detail", record.detail.map(JSONValue.string) ?? .null),
            ]
        } else {
            members.append(("outcome", .null))
        }
        return .object(members)
    }
}
