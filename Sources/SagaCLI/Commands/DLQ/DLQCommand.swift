import ArgumentParser
import Kafka
import SagaContracts
import SagaEngine

/// `sagactl dlq …`: inspect and replay dead letters.
struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect dead letters, see their causes, and replay them to their original topic.",
        discussion: """
            TOPIC is a topic (its dead letters are on TOPIC.dlq) or a .dlq topic itself. The DLQ is \
            read from the beginning in a throwaway consumer group that never commits.
            """,
        subcommands: [DLQListCommand.self, DLQSummaryCommand.self, DLQReplayCommand.self, DLQReplaysCommand.self]
    )
}

/// What every `dlq` command needs to read a DLQ topic.
struct DLQSource: ParsableArguments {
    @Argument(help: "The topic (its .dlq is read) or the .dlq topic.") var topic: String
    @Option(help: "Stop reading after this many seconds without a record.") var timeout: Double = 5
    @OptionGroup var connection: ConnectionOptions

    /// The DLQ topic.
    var dlqTopic: String { topic.hasSuffix(".dlq") ? topic : SagaTopics.deadLetter(of: topic) }

    /// Every dead letter of the DLQ topic, in partition and offset order.
    func read() async throws -> [DeadLetter] {
        try await connection.readWhole(dlqTopic, idleSeconds: timeout)
            .sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
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
    /// Every record of `topic` from the beginning, until none came for `idleSeconds`; failures as ``CLIError``.
    func readWhole(_ topic: String, idleSeconds: Double) async throws -> [KafkaConsumerMessage] {
        guard idleSeconds > 0 else { throw CLIError.input("--timeout must be more than 0") }
        let reader = TopicReader(configuration: try configuration())
        do {
            return try await reader.readAll(topic, idleTimeout: .seconds(idleSeconds))
        } catch {
            throw CLIError.failed("reading \(topic) failed: \(error)")
        }
    }
}
