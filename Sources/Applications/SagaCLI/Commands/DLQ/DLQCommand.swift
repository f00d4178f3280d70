import ArgumentParser
import Kafka
import SagaContracts
import SagaCore
import SagaAvro

/// `sagactl dlq …`: inspect and replay dead letters.
struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect dead letters, see their causes, and replay them to their original topic.",
        discussion: """
            TOPIC is a topic (its dead letters are on TOPIC.dlq) or a .dlq topic itself. The DLQ is \
            read from the beginning of each partition to the end it had when reading started, \
            without joining a consumer group or committing anything. If that end is not reached \
            within --timeout seconds the command fails (exit 1), naming each partition not read \
            to its end: it never shows a partial list.

            With --url (or SAGA_URL) the commands talk to the HTTP API instead (token from SAGA_TOKEN: \
            a viewer token reads, an operator token replays), so no broker access or store file is \
            needed; every replay is then recorded in the API's audit trail.
            """,
        subcommands: [DLQListCommand.self, DLQSummaryCommand.self, DLQReplayCommand.self, DLQReplaysCommand.self]
    )
}

/// What every `dlq` command needs to read a DLQ topic.
struct DLQSource: ParsableArguments {
    @Argument(help: "The topic (its .dlq is read) or the .dlq topic.") var topic: String
    @Option(help: "Seconds to read the DLQ to its end before failing.") var timeout: Double = DLQSource.defaultTimeout
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var api: APIOption

    /// The default of `--timeout`: generous, since a timeout fails the command.
    static let defaultTimeout: Double = 30

    /// The DLQ topic.
    var dlqTopic: String { topic.hasSuffix(".dlq") ? topic : DeadLetterRecord.topic(for: topic) }

    /// The API's dead-letter client when `--url` or `SAGA_URL` is set.
    func apiClient() throws -> DeadLetterAPIClient? { try api.client().map(DeadLetterAPIClient.init) }

    /// Every dead letter of the DLQ topic, in partition and offset order.
    func read() async throws -> [DeadLetter] {
        try await connection.readWhole(dlqTopic, timeoutSeconds: timeout)
            .map { DeadLetter(InboundMessage($0)) }
    }
}

/// `sagactl dlq list TOPIC`.
struct DLQListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List dead letters with their origin and error headers.")

    @OptionGroup var source: DLQSource
    @Flag(help: "Print JSON Lines with every header and the decoded value.") var json = false
    @OptionGroup var schemas: SchemaDirectoryOption

    func run() async throws {
        try await runReportingErrors {
            if let api = try source.apiClient() {
                let letters = try await api.letters(topic: source.dlqTopic)
                if json {
                    for letter in letters { StandardStreams.writeLine(letter.serialized) }
                } else {
                    for line in DLQFormat.list(api: letters) { StandardStreams.writeLine(line) }
                    StandardStreams.writeError("sagactl: \(letters.count) dead letter(s) on \(source.dlqTopic)")
                }
                return
            }
            let letters = try await source.read()
            if json {
                let renderer = schemas.loadIfPresent().map(RecordRenderer.init)
                for letter in letters { StandardStreams.writeLine(letter.json(renderer: renderer).serialized) }
                return
            }
            for line in DLQFormat.list(letters) { StandardStreams.writeLine(line) }
            StandardStreams.writeError("sagactl: \(letters.count) dead letter(s) on \(source.dlqTopic)")
        }
    }
}

/// `sagactl dlq summary TOPIC`.
struct DLQSummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Group dead letters by original topic, error kind and message: the few causes behind many letters.")

    @OptionGroup var source: DLQSource
    @Flag(help: "Print JSON Lines, one group per line.") var json = false

    func run() async throws {
        try await runReportingErrors {
            if let api = try source.apiClient() {
                let groups = try await api.groups(topic: source.dlqTopic)
                if json {
                    for group in groups { StandardStreams.writeLine(group.serialized) }
                } else {
                    for line in DLQFormat.summary(api: groups) { StandardStreams.writeLine(line) }
                }
                return
            }
            let groups = DeadLetterGroup.grouping(try await source.read())
            if json {
                for group in groups { StandardStreams.writeLine(DLQFormat.json(group).serialized) }
            } else {
                for line in DLQFormat.summary(groups) { StandardStreams.writeLine(line) }
            }
        }
    }
}

extension ConnectionOptions {
    /// Every record of `topic` up to the end it had when reading started, in partition and
    /// offset order; failures (the end not reached within `timeoutSeconds` included) as ``CLIError``.
    func readWhole(_ topic: String, timeoutSeconds: Double) async throws -> [KafkaConsumerMessage] {
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else { throw CLIError.input("--timeout must be more than 0") }
        let reader = TopicReader(configuration: try configuration())
        do {
            return try await reader.readToEnd(topic, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
        } catch {
            throw CLIError.failed("reading \(topic) failed: \(error)")
        }
    }
}
