import ArgumentParser
import SagaCore

/// `sagactl`: the swift-saga command line.
public struct SagactlCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sagactl",
        abstract: "Operate swift-saga: contracts, events on Kafka, saga state and dead letters.",
        discussion: """
            Exit status: 0 success; 1 the command's answer is no (incompatible schemas, a failed \
            check); 2 unusable input (unreadable file, invalid schema or data); 64 usage error.
            """,
        version: SagaVersion.current,
        subcommands: [
            SchemaCommand.self, PublishCommand.self, TailCommand.self, StatusCommand.self, SagasCommand.self, DLQCommand.self,
            SagaCommand.self, DoctorCommand.self, DevCommand.self, AuthCommand.self,
        ]
    )

    public init() {}
}
