import Foundation

/// Reads earlier versions of files from git (by running the `git` executable).
struct GitFiles {
    /// The directory git runs in; paths are relative to it.
    var directory: URL

    /// Runs git with `arguments`; its standard output, or nil when git exits non-zero with
    /// `allowFailure` (e.g. a path that does not exist at that revision).
    func run(_ arguments: [String], allowFailure: Bool = false) throws -> Data? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw CLIError.input("cannot run git: \(error)")
        }
        // Read both pipes before waiting, so a large output cannot block git.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
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
