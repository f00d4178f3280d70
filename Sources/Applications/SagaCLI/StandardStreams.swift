import Foundation
import SystemPackage

/// Whole-stream reads and writes of standard input, output and error.
///
/// Through swift-system, whose reads and writes retry when a signal interrupts them (`EINTR`):
/// Foundation's non-throwing `FileHandle` reads and writes trap on it instead.
enum StandardStreams {
    /// Everything on standard input.
    ///
    /// - Throws: ``CLIError`` (exit 2) if standard input cannot be read.
    static func readInput() throws -> [UInt8] {
        var input: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count: Int
            do {
                count = try chunk.withUnsafeMutableBytes { try FileDescriptor.standardInput.read(into: $0, retryOnInterrupt: true) }
            } catch {
                throw CLIError.input("cannot read standard input: \(error)")
            }
            if count == 0 { return input }
            input.append(contentsOf: chunk[..<count])
        }
    }

    /// Writes bytes to standard output. If whoever reads it has gone (`sagactl … | head`), the
    /// process ends as a Unix filter does: by SIGPIPE, quietly.
    static func write(_ bytes: [UInt8]) {
        write(bytes, to: .standardOutput)
    }

    /// Writes a line to standard output.
    static func writeLine(_ text: String) {
        write(Array((text + "\n").utf8))
    }

    /// Writes a line to standard error.
    static func writeError(_ text: String) {
        write(Array((text + "\n").utf8), to: .standardError)
    }

    /// Writes all of `bytes` to `stream`, retrying interrupted and partial writes.
    static func write(_ bytes: [UInt8], to stream: FileDescriptor) {
        do {
            _ = try stream.writeAll(bytes)
        } catch Errno.brokenPipe {
            // SIGPIPE is ignored (inherited, or set by a library), so the write failed instead of
            // ending the process: end it the way the default action would.
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
        } catch {
            // Standard error unusable (closed, a full disk): it is where failures are reported, so
            // nothing is left to report this on, and the command's work goes on. Standard output
            // unusable: its results would be lost silently, so exit with an I/O error status.
            if stream != .standardError { exit(74) }  // EX_IOERR
        }
    }
}
