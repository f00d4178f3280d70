import ArgumentParser

/// A failure of a sagactl command: the message to print and the exit status.
///
/// Exit statuses: 1 means the command ran and the answer is "no" (schemas incompatible,
/// a check failed); 2 means the input could not be used (unreadable file, invalid schema,
/// bad data); 78 means the configuration cannot work (a database that refuses or cannot be
/// reached). ArgumentParser itself exits with 64 on usage errors.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var exitCode: ExitCode

    /// The input could not be used (exit 2).
    static func input(_ message: String) -> CLIError { CLIError(message: message, exitCode: ExitCode(2)) }
    /// The command's answer is "no" (exit 1).
    static func failed(_ message: String) -> CLIError { CLIError(message: message, exitCode: ExitCode(1)) }
    /// The configuration cannot work, e.g. a database URL that is wrong or refused (exit 78, EX_CONFIG, as `saga-server`).
    static func configuration(_ message: String) -> CLIError { CLIError(message: message, exitCode: ExitCode(78)) }

    var description: String { message }
}

/// Runs a command body, printing a ``CLIError`` (or any other error) to standard error and
/// exiting with its status instead of ArgumentParser's generic one.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CLIError {
        StandardStreams.writeError("sagactl: " + error.message)
        throw error.exitCode
    }
}

/// The async form of ``runReportingErrors(_:)`` for commands that talk to Kafka or the store.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        StandardStreams.writeError("sagactl: " + error.message)
        throw error.exitCode
    }
}
