import Avro
import Foundation
import Subprocess
import SystemPackage
import Testing

/// Standard-stream I/O that survives signals: a test process full of exiting children (each exit
/// sends it SIGCHLD, which interrupts blocking reads once Foundation's `Process` has installed
/// its handler) must still get every byte of a child's output, and sagactl writing into a pipe
/// whose reader has gone must end the way a Unix filter does, not trap.
@Suite struct ProcessIOTests {
    /// A record with one string field, in a directory of its own.
    static func blobSchema() throws -> (directory: URL, file: URL, schema: AvroSchema) {
        let json = #"{"type":"record","name":"Blob","namespace":"t","fields":[{"name":"text","type":"string"}]}"#
        let directory = try SagactlTests.temporaryDirectory()
        let file = directory.appendingPathComponent("t.Blob.avsc")
        try Data(json.utf8).write(to: file)
        return (directory, file, try AvroSchema(parsing: json))
    }

    /// Runs `/bin/true` `count` times, `width` at a time, with Foundation's `Process` (whose
    /// SIGCHLD handler is what made blocking pipe reads fail with EINTR).
    static func exitStorm(count: Int, width: Int) async throws {
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<count {
                if index >= width { #expect(try await group.next() == 0) }
                group.addTask {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/true")
                    return try await withCheckedThrowingContinuation { continuation in
                        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                        do { try process.run() } catch { continuation.resume(throwing: error) }
                    }
                }
            }
            for try await status in group { #expect(status == 0) }
        }
    }

    @Test func everyByteOfALargeOutputArrivesWhileManyChildrenExit() async throws {
        let (directory, file, schema) = try Self.blobSchema()
        defer { try? FileManager.default.removeItem(at: directory) }
        // 4 MiB of text: many pipe buffers' worth, so the reads block and signals land on them.
        let text = String((0..<(4 << 20)).map { index in Character(Unicode.Scalar(UInt8(97 + index % 26))) })
        let input = #"{"text":""# + text + #""}"#
        let expected = try AvroBinaryEncoder(schema: schema).encode(try AvroJSONCoder(schema: schema).decode(input))

        async let storm: Void = Self.exitStorm(count: 300, width: 8)
        let runs = try await withThrowingTaskGroup(of: SagactlProcess.Result.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await SagactlProcess.run(["schema", "encode", file.path, "--framing", "raw"], input: Array(input.utf8))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await storm
        #expect(runs.count == 3)
        for run in runs {
            #expect(run.status == 0, "stderr: \(run.error)")
            #expect(run.output.count == expected.count)
            #expect(run.output == expected)
        }
    }

    @Test func sagactlWritingIntoAClosedPipeEndsBySIGPIPEQuietly() async throws {
        let pipe = try FileDescriptor.pipe()
        try pipe.readEnd.close()
        // `trap '' PIPE` makes SIGPIPE ignored across exec, as some parents leave it: the write
        // then fails with EPIPE, which sagactl must turn into the default SIGPIPE ending.
        let result = try await Subprocess.run(
            .path("/bin/sh"), arguments: ["-c", #"trap '' PIPE; exec "$0" schema canonical "$1""#,
                SagactlProcess.executable.path, SagactlTests.orderPlaced],
            workingDirectory: FilePath(SagactlProcess.packageDirectory.path),
            output: .fileDescriptor(pipe.writeEnd, closeAfterSpawningProcess: true), error: .string(limit: 1 << 20)
        )
        #expect(result.terminationStatus == .signaled(SIGPIPE))
        #expect(result.standardError.isEmpty, "stderr: \(result.standardError)")
    }
}
