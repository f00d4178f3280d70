import Foundation
import Subprocess
import SystemPackage
import Testing

/// Runs the built `sagactl` executable (next to the test bundle in the build folder).
struct SagactlProcess {
    struct Result {
        var status: Int32
        var output: [UInt8]
        var error: String
        var text: String { String(decoding: output, as: UTF8.self) }
    }

    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sagactl")
    }

    static let packageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The most output a run may collect from either stream (far more than any test's).
    static let outputLimit = 64 << 20

    /// Runs sagactl with `input` on its standard input. swift-subprocess collects standard output
    /// and error concurrently (a child filling one pipe cannot block) with non-blocking reads, so
    /// signals (SIGCHLD from the many children the tests start) cannot break them.
    /// `environment` is added to the inherited one (e.g. `SAGA_URL`, `SAGA_TOKEN`).
    static func run(_ arguments: [String], input: [UInt8] = [], in directory: URL = packageDirectory,
                    environment: [String: String] = [:]) async throws -> Result {
        let result = try await Subprocess.run(
            .path(FilePath(executable.path)), arguments: Arguments(arguments),
            environment: .inherit.updating(Dictionary(uniqueKeysWithValues: environment.compactMap { name, value in
                Environment.Key(rawValue: name).map { ($0, Optional(value)) }
            })),
            workingDirectory: FilePath(directory.path),
            input: .array(input), output: .bytes(limit: outputLimit), error: .string(limit: outputLimit)
        )
        return Result(status: result.terminationStatus.code, output: result.standardOutput, error: result.standardError)
    }

    /// Runs a shell-free command (git) in `directory`, requiring success.
    static func git(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "git \(arguments) failed")
    }
}

extension TerminationStatus {
    /// The exit code, or 128 + the signal that ended the process (as a shell reports it).
    var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}
