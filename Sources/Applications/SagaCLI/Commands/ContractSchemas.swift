import ArgumentParser
import Avro
import Foundation
import SagaAvro

/// The contracts' schemas (`schemas/*.avsc`), by full name and by fingerprint.
struct ContractSchemas: Sendable {
    /// Values as JSON and back with these schemas.
    let codec: AvroValueCodec
    /// Each schema by its full name (`com.swiftsaga.order.OrderPlaced`), references expanded.
    var byName: [String: AvroSchema] { codec.byName }
    /// The full name of each schema's fingerprint.
    var nameByFingerprint: [UInt64: String] { codec.nameByFingerprint }
    /// Every schema, for single-object lookup.
    var store: AvroSchemaStore { codec.store }

    init(byName: [String: AvroSchema]) {
        self.codec = AvroValueCodec(byName: byName)
    }

    /// Loads every `.avsc` of `directory` (files named after their type's full name).
    static func load(directory: String) throws -> ContractSchemas {
        let url = URL(fileURLWithPath: directory)
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".avsc") }.sorted()
        } catch {
            throw CLIError.input("cannot list the schema directory \(directory): \(error.localizedDescription)")
        }
        guard !files.isEmpty else { throw CLIError.input("no .avsc files in \(directory)") }
        let set: AvroSchemaSet
        do {
            set = try AvroSchemaSet.parsing(files: files.map { url.appendingPathComponent($0) })
        } catch {
            throw CLIError.input("the schemas of \(directory) do not load: \(error)")
        }
        var byName: [String: AvroSchema] = [:]
        for (file, schema) in set.schemas { byName[String(file.dropLast(".avsc".count))] = schema }
        return ContractSchemas(byName: byName)
    }

    /// The schema named `name` (a full name, or a path to an .avsc whose file name is one).
    func schema(named name: String) throws -> (name: String, schema: AvroSchema) {
        var key = URL(fileURLWithPath: name).lastPathComponent
        if key.hasSuffix(".avsc") { key = String(key.dropLast(".avsc".count)) }
        if let schema = byName[key] { return (key, schema) }
        let close = byName.keys.filter { $0.hasSuffix("." + key) }.sorted()
        if close.count == 1, let only = close.first, let schema = byName[only] { return (only, schema) }
        throw CLIError.input("no schema named \(name)" + (close.isEmpty ? "" : "; did you mean \(close.joined(separator: ", "))?"))
    }
}

/// `--schemas DIR` (env `SAGA_SCHEMAS`, default `schemas`).
struct SchemaDirectoryOption: ParsableArguments {
    @Option(name: .customLong("schemas"), help: "The folder of the contracts' .avsc files (default: env SAGA_SCHEMAS, else ./schemas).")
    var directory: String?

    /// Loads the schemas.
    func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ContractSchemas {
        try ContractSchemas.load(directory: directory ?? environment["SAGA_SCHEMAS"] ?? "schemas")
    }
}
