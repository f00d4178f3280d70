import Foundation

/// Reads earlier versions of files from git (by running the `git` executable).
struct GitFiles {
    /// The directory git runs in; paths are relative to it.
    var directory: URL

    /// Runs git with `arguments`; its standard output, or nil when git exits non-zero with
    /// `allowFailure` (e.g. a path that does not exist at that revision).
    ///
    /// git writes into temporary files, not pipes: nothing can block on a full pipe, and reading
    /// a regular file is never interrupted by a signal (Foundation's pipe reads trap on `EINTR`).
    func run(_ arguments: [String], allowFailure: Bool = false) throws -> Data? {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sagactl-git-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputFile = scratch.appendingPathComponent("stdout"), errorFile = scratch.appendingPathComponent("stderr")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        process.standardInput = FileHandle.nullDevice
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: outputFile.path, contents: nil),
                FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: scratch.path]) }
            let output = try FileHandle(forWritingTo: outputFile), errors = try FileHandle(forWritingTo: errorFile)
            defer {
                try? output.close()
                try? errors.close()
            }
            process.standardOutput = output
            process.standardError = errors
            try process.run()
        } catch {
            throw CLIError.input("cannot run git: \(error)")
        }
        process.waitUntilExit()
        let data: Data, message: String
        do {
            data = try Data(contentsOf: outputFile)
            message = String(decoding: try Data(contentsOf: errorFile), as: UTF8.self)
        } catch {
            throw CLIError.input("cannot read the output of git \(arguments.joined(separator: " ")): \(error)")
        }
        guard process.terminationStatus == 0 else {
            if allowFailure { return nil }
            throw CLIError.input("git \(arguments.joined(separator: " ")) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return data
    }

    /// The content of `file` (a name in ``directory``) at `revision`, or nil when it did not exist.
    func content(of file: String, at revision: String) throws -> String? {
        try run(["show", "\(revision):./\(file)"], allowFailure: true).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The commits that changed anything in ``directory``, newest first.
    func commitsTouchingDirectory() throws -> [String] {
        guard let data = try run(["log", "--format=%H", "--", "."]) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// File contents at revisions, each read from git once.
final class GitContentCache {
    let git: GitFiles
    private var contents: [String: String?] = [:]

    init(git: GitFiles) {
        self.git = git
    }

    /// The content of `file` at `revision`, or nil when it did not exist there.
    func content(of file: String, at revision: String) throws -> String? {
        let key = revision + ":" + file
        if let cached = contents[key] { return cached }
        let content = try git.content(of: file, at: revision)
        contents[key] = content
        return content
    }
}
