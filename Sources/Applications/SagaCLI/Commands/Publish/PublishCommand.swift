import ArgumentParser
import Foundation
import Kafka

/// `sagactl publish TOPIC --schema NAME`.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish events given as JSON to a topic, validated against a schema and Avro-encoded.",
        discussion: """
            Input: --value JSON, --file PATH, or standard input: one JSON value, a JSON array, or \
            JSON Lines. Values are Avro's JSON encoding (unions as {"type": value}); each is \
            single-object encoded, keyed by metadata.sagaId (or --key) and given the contract \
            headers (message-type, message-id, saga-id, causation-id, traceparent, content-type). \
            Every value is validated before anything is sent: one invalid value stops the whole \
            batch (exit 2) unless --continue-on-error, which sends the valid ones (exit 1).
            """
    )

    @Argument(help: "The topic.") var topic: String
    @Option(help: "The value's schema: a full name (com.swiftsaga.order.OrderPlaced), its last part, or an .avsc path.")
    var schema: String
    @Option(help: "One value as JSON.") var value: String?
    @Option(help: "A file of JSON values (- for standard input, the default).") var file: String?
    @Option(help: "The Kafka key of every record (default: each value's metadata.sagaId).") var key: String?
    @Flag(help: "Publish the valid values even if some are invalid.") var continueOnError = false
    @Flag(help: "Validate and encode only; publish nothing.") var dryRun = false
    @OptionGroup var schemas: SchemaDirectoryOption
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await runReportingErrors {
            let contracts = try schemas.load()
            let (name, avroSchema) = try contracts.schema(named: schema)
            let batch = EventBatch.prepare(text: try readInput(), schemaName: name, schema: avroSchema, key: key)
            for problem in batch.problems { StandardStreams.writeError("sagactl: \(problem)") }
            if !batch.problems.isEmpty && !continueOnError {
                throw CLIError.input("\(batch.problems.count) of \(batch.problems.count + batch.records.count) value(s) invalid; nothing published (--continue-on-error publishes the valid ones)")
            }
            if batch.records.isEmpty && batch.problems.isEmpty { throw CLIError.input("no values in the input") }
            if dryRun {
                for record in batch.records { StandardStreams.writeLine(PublishReport.line(dryRun: record)) }
                StandardStreams.writeError("sagactl: \(batch.records.count) value(s) valid; nothing published (--dry-run)")
                if !batch.problems.isEmpty { throw CLIError.failed("\(batch.problems.count) value(s) invalid") }
                return
            }
            let producer = try KafkaClients.producer(try connection.configuration())
            var bar = ProgressBar(total: batch.records.count, label: "publishing")
            let outcomes: [BatchPublisher.Outcome]
            do {
                outcomes = try await BatchPublisher(producer: producer).publish(batch.records, to: topic) { bar.update($0) }
            } catch {
                bar.finish()
                await producer.shutdown()
                throw CLIError.failed("publishing to \(topic) failed: \(error)")
            }
            bar.finish()
            await producer.shutdown()
            for outcome in outcomes { StandardStreams.writeLine(PublishReport.line(outcome, topic: topic)) }
            let failed = outcomes.filter { if case .success = $0.result { false } else { true } }.count
            StandardStreams.writeError("sagactl: published \(outcomes.count - failed) of \(outcomes.count) record(s) to \(topic)")
            if failed > 0 { throw CLIError.failed("\(failed) record(s) not delivered") }
            if !batch.problems.isEmpty { throw CLIError.failed("\(batch.problems.count) invalid value(s) skipped") }
        }
    }

    private func readInput() throws -> String {
        if let value {
            guard file == nil else { throw CLIError.input("give --value or --file, not both") }
            return value
        }
        guard let file, file != "-" else { return String(decoding: try StandardStreams.readInput(), as: UTF8.self) }
        do {
            return String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
        } catch {
            throw CLIError.input("cannot read \(file): \(error.localizedDescription)")
        }
    }
}

/// The lines `publish` prints.
enum PublishReport {
    /// `record 1: order.placed partition 0 offset 12 key …`, or why it was not delivered.
    static func line(_ outcome: BatchPublisher.Outcome, topic: String) -> String {
        let key = String(decoding: outcome.record.key, as: UTF8.self)
        switch outcome.result {
        case .success(let report):
            return "record \(outcome.record.position): \(report.topic) partition \(report.partition) offset \(report.offset) key \(key)"
        case .failure(let error):
            return "record \(outcome.record.position): NOT DELIVERED to \(topic) key \(key): \(error)"
        case nil:
            return "record \(outcome.record.position): NO DELIVERY REPORT from \(topic) key \(key)"
        }
    }

    /// `record 1: valid, 123 bytes, key …`.
    static func line(dryRun record: EventBatch.Record) -> String {
        "record \(record.position): valid, \(record.value.count) bytes, key \(String(decoding: record.key, as: UTF8.self))"
    }
}
