import ArgumentParser
import Avro
import Foundation
import SagaContracts
import SchemaRegistry

/// `--registry URL` (env `SAGA_SCHEMA_REGISTRY_URL`); credentials and CA file from the
/// environment only (`SAGA_SCHEMA_REGISTRY_BASIC_AUTH` or `_TOKEN`, `_CA_FILE`), never flags,
/// so they stay out of shell history and process lists.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("registry"), help: "A Confluent-compatible schema registry's URL (default: env SAGA_SCHEMA_REGISTRY_URL); credentials from env SAGA_SCHEMA_REGISTRY_BASIC_AUTH or SAGA_SCHEMA_REGISTRY_TOKEN, CA from SAGA_SCHEMA_REGISTRY_CA_FILE.")
    var url: String?

    /// The client, or a usage error when no registry is named.
    func client(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SchemaRegistryClient {
        var environment = environment
        if let url { environment[SchemaRegistryConfiguration.urlVariable] = url }
        do {
            guard let configuration = try SchemaRegistryConfiguration(environment: environment) else {
                throw CLIError.input("no schema registry: pass --registry URL or set \(SchemaRegistryConfiguration.urlVariable)")
            }
            return try SchemaRegistryClient(configuration: configuration)
        } catch let error as SchemaRegistryError {
            throw CLIError.input(error.description)
        }
    }
}

/// The contracts of a schema directory as registry subjects (see `ContractRegistry`).
enum ContractSubjects {
    /// Every subject with its schema, sorted by subject.
    static func load(directory: String) throws -> [(subject: String, schema: AvroSchema)] {
        let schemas = try ContractSchemas.load(directory: directory)
        // Topic subjects only for the message types this directory defines (it may be a subset).
        let topics = SagaTopics().messageTypes.mapValues { $0.filter { schemas.byName[$0] != nil } }.filter { !$0.value.isEmpty }
        let registry: ContractRegistry
        do {
            registry = try ContractRegistry(schemas: schemas.byName.keys.sorted().compactMap { schemas.byName[$0] }, topics: topics)
        } catch {
            throw CLIError.input("the contracts cannot be served as a registry: \(error)")
        }
        return registry.subjectNames.compactMap { subject in registry.entry(subject: subject).map { (subject, $0.schema) } }
    }
}

/// `sagactl schema register`.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register every contract in a schema registry under its subjects.",
        discussion: """
            Subjects (schemas/README.md, "Schema registries"): <full name> for every schema, \
            <topic>-<full name> for every message type of a topic, and <topic>-value for a topic \
            that carries one message type. The registry gives the ids; a schema it already has \
            keeps its id. Exits 1 when the registry refuses a schema (e.g. incompatible).
            """
    )

    @Option(help: "The directory of .avsc files.") var dir: String = "schemas"
    @OptionGroup var registry: RegistryOptions

    func run() async throws {
        try await runReportingErrors {
            let subjects = try ContractSubjects.load(directory: dir)
            let client = try registry.client()
            var failures = 0
            for (subject, schema) in subjects {
                do throws(SchemaRegistryError) {
                    let id = try await client.register(schema, subject: subject)
                    StandardStreams.writeLine("registered \(subject): id \(id)")
                } catch {
                    if error.isRetriable { throw CLIError.input(error.description) }
                    StandardStreams.writeLine("FAIL \(subject): \(error)")
                    failures += 1
                }
            }
            try await client.shutdown()
            StandardStreams.writeLine("\(subjects.count - failures) of \(subjects.count) subject(s) registered at \(client.configuration.baseURL)")
            if failures > 0 { throw CLIError.failed("\(failures) subject(s) refused") }
        }
    }
}

/// `sagactl schema check --registry URL`: each contract against its subject's latest version.
enum RegistryCheck {
    /// Prints a line per subject; returns the number that failed.
    static func run(directory: String, registry: RegistryOptions) async throws -> Int {
        let subjects = try ContractSubjects.load(directory: directory)
        let client = try registry.client()
        var failures = 0
        for (subject, schema) in subjects {
            do throws(SchemaRegistryError) {
                let result = try await client.checkCompatibility(schema, subject: subject)
                if result.isCompatible {
                    StandardStreams.writeLine("ok   \(subject): compatible with the registry's latest version")
                } else {
                    StandardStreams.writeLine("FAIL \(subject): not compatible with the registry's latest version")
                    for message in result.messages { StandardStreams.writeLine("       - \(message)") }
                    failures += 1
                }
            } catch {
                if case .subjectNotFound = error.kind {
                    StandardStreams.writeLine("ok   \(subject): new subject")
                } else {
                    throw CLIError.input(error.description)
                }
            }
        }
        try await client.shutdown()
        StandardStreams.writeLine("\(subjects.count) subject(s) checked against \(client.configuration.baseURL), \(failures) failed")
        return failures
    }
}
