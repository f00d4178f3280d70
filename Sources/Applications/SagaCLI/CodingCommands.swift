import ArgumentParser
import Avro

/// How a binary Avro value is framed on stdin/stdout.
enum Framing: String, ExpressibleByArgument, CaseIterable {
    /// `C3 01`, the 8-byte fingerprint, the body: our Kafka value format.
    case singleObject = "single-object"
    /// The body alone.
    case raw
}

/// `sagactl schema encode FILE`.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Read a value in Avro's JSON encoding on stdin and write its binary encoding to stdout.",
        discussion: "Unions are written {\"type\": value}, e.g. {\"string\": \"note\"}; null as null."
    )

    @Argument(help: "The schema (.avsc) of the value.") var file: String
    @Option(help: "single-object (C3 01 + fingerprint + body, the Kafka value format) or raw (body only).")
    var framing: Framing = .singleObject

    func run() throws {
        try runReportingErrors {
            let schema = try SchemaFileLoader.loadPath(file)
            let text = String(decoding: try StandardStreams.readInput(), as: UTF8.self)
            let value: AvroValue
            do {
                value = try AvroJSONCoder(schema: schema).decode(text)
            } catch {
                throw CLIError.input("stdin is not a value of \(file): \(error)")
            }
            do {
                switch framing {
                case .raw: StandardStreams.write(try AvroBinaryEncoder(schema: schema).encode(value))
                case .singleObject: StandardStreams.write(try AvroSingleObject.encode(value, schema: schema))
                }
            } catch {
                throw CLIError.input("cannot encode the value with \(file): \(error)")
            }
        }
    }
}

/// `sagactl schema decode FILE`.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Read a binary Avro value on stdin and write it in Avro's JSON encoding to stdout.",
        discussion: """
            The value is read as FILE's schema. Data written with another version of the schema is \
            resolved to FILE's: give that version with --writer (for single-object input, every \
            --writer schema is registered by fingerprint and the one the header names is used).
            """
    )

    @Argument(help: "The schema (.avsc) to read the value as.") var file: String
    @Option(help: "single-object (C3 01 + fingerprint + body) or raw (body only).")
    var framing: Framing = .singleObject
    @Option(name: .customLong("writer"), help: "A schema the data may have been written with (repeatable).")
    var writers: [String] = []
    @Flag(help: "Indent the JSON output.") var pretty = false

    func run() throws {
        try runReportingErrors {
            let reader = try SchemaFileLoader.loadPath(file)
            let writerSchemas = try writers.map(SchemaFileLoader.loadPath)
            let input = try StandardStreams.readInput()
            let value: AvroValue
            do {
                switch framing {
                case .singleObject:
                    let store = AvroSchemaStore([reader] + writerSchemas)
                    value = try AvroSingleObject.decode(input, store: store, readerSchema: reader)
                case .raw:
                    guard writerSchemas.count <= 1 else { throw CLIError.input("raw input takes at most one --writer") }
                    if let writer = writerSchemas.first {
                        value = try AvroResolvingDecoder(writer: writer, reader: reader).decode(input)
                    } else {
                        value = try AvroBinaryDecoder(schema: reader).decode(input)
                    }
                }
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError.input("stdin is not a \(framing.rawValue) value of \(file): \(error)")
            }
            try writeJSON(value, schema: reader, pretty: pretty)
        }
    }
}

/// `sagactl schema sample FILE`.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Print a made-up value of the schema in Avro's JSON encoding: a starting point for encode.",
        discussion: "The same seed gives the same value. Values are random, not realistic: edit them."
    )

    @Argument(help: "The schema (.avsc).") var file: String
    @Option(help: "Seed of the pseudo-random value.") var seed: UInt64 = 1
    @Flag(help: "Indent the JSON output.") var pretty = false

    func run() throws {
        try runReportingErrors {
            let schema = try SchemaFileLoader.loadPath(file)
            var samples = AvroSampleValues(seed: seed, maximumDepth: 3)
            try writeJSON(samples.value(for: schema), schema: schema, pretty: pretty)
        }
    }
}

/// Writes `value` to standard output in Avro's JSON encoding, one line or indented.
func writeJSON(_ value: AvroValue, schema: AvroSchema, pretty: Bool) throws {
    let json: JSONValue
    do {
        json = try AvroJSONCoder(schema: schema).encodeJSON(value)
    } catch {
        throw CLIError.input("cannot write the value as JSON: \(error)")
    }
    StandardStreams.writeLine(pretty ? json.prettySerialized : json.serialized)
}
