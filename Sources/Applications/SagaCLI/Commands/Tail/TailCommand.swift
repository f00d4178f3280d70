import ArgumentParser
import Avro
import Kafka

/// `sagactl tail TOPIC`.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print a topic's records as JSON Lines: partition, offset, key, headers and the decoded value.",
        discussion: """
            Values are decoded with the writer schema their single-object header names, looked up \
            among the schemas folder's files. A value that cannot be decoded is printed with an \
            "error" member and its bytes (valueHex, valueBase64). Reading uses a fresh consumer \
            group that never commits: it never moves anyone's offsets.
            """
    )

    @Argument(help: "The topic.") var topic: String
    @Option(help: "Where to start: beginning or end.") var from: TopicReader.Start = .beginning
    @Option(help: "Stop after this many records.") var max: Int?
    @Option(help: "Stop after this many seconds without a record (0: never).") var timeout: Double = 10
    @Flag(help: "Indent each record's JSON.") var pretty = false
    @OptionGroup var schemas: SchemaDirectoryOption
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await runReportingErrors {
            if let max, max < 0 { throw CLIError.input("--max must be 0 or more") }
            guard timeout >= 0 else { throw CLIError.input("--timeout must be 0 or more") }
            let renderer = RecordRenderer(schemas: try schemas.load())
            let reader = TopicReader(configuration: try connection.configuration())
            let pretty = self.pretty
            do {
                _ = try await reader.read(topic, from: from, max: max, idleTimeout: timeout == 0 ? nil : .seconds(timeout)) { message in
                    let json = renderer.render(message)
                    StandardStreams.writeLine(pretty ? json.prettySerialized : json.serialized)
                }
            } catch {
                throw CLIError.failed("reading \(topic) failed: \(error)")
            }
        }
    }
}

extension TopicReader.Start: ExpressibleByArgument {}
