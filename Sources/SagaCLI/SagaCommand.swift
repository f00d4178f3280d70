import ArgumentParser

/// `sagactl`: the swift-saga command line.
public struct SagaCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sagactl",
        abstract: "Operate swift-saga: work with the Avro contracts of the sagas.",
        discussion: """
            Exit status: 0 success; 1 the command's answer is no (incompatible schemas, a failed \
            check); 2 unusable input (unreadable file, invalid schema or data); 64 usage error.
            """,
        subcommands: [SchemaCommand.self]
    )

    public init() {}
}
