import Foundation

/// Finds the executables `sagactl dev` starts: the Tansu broker and `saga-server`.
public struct ExecutableLocator: Sendable {
    /// The environment (for `PATH` and `SAGA_TANSU`).
    public var environment: [String: String]
    /// The current directory (the start of the upward search for `.deps/bin/tansu`).
    public var currentDirectory: URL
    /// The running executable (`sagactl`, or the test bundle): `saga-server` is looked for next
    /// to it, and `.deps/bin/tansu` above it.
    public var executable: URL

    /// A locator for this process.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        executable: URL = ExecutableLocator.runningExecutable
    ) {
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.executable = executable
    }

    /// The path of the running executable (`/proc/self/exe` resolved where it exists).
    public static var runningExecutable: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }

    /// The Tansu binary: `explicit` (`--tansu`), else `SAGA_TANSU`, else `tansu` on `PATH`, else
    /// `.deps/bin/tansu` in the current directory or one above it, or above the executable.
    ///
    /// - Throws: ``DevError/notExecutable(path:origin:)`` for an explicit path that is not
    ///   executable, ``DevError/brokerNotFound(searched:)`` listing every place looked at.
    public func tansu(explicit: String?) throws(DevError) -> String {
        if let explicit { return try checked(explicit, origin: "--tansu") }
        if let fromEnvironment = environment["SAGA_TANSU"], !fromEnvironment.isEmpty {
            return try checked(fromEnvironment, origin: "SAGA_TANSU")
        }
        var searched: [String] = []
        for directory in (environment["PATH"] ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("tansu").path
            if isExecutable(candidate) { return candidate }
        }
        searched.append("tansu on PATH")
        for start in [currentDirectory, executable.deletingLastPathComponent()] {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent(".deps/bin/tansu").path
                if isExecutable(candidate) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
            searched.append(".deps/bin/tansu above \(start.path)")
        }
        throw .brokerNotFound(searched: ["--tansu", "SAGA_TANSU"] + searched)
    }

    /// The `saga-server` executable: `explicit` (`--server`), else the one next to ``executable``
    /// (the same build directory), else `saga-server` on `PATH`.
    ///
    /// - Throws: ``DevError/serverNotFound(searched:)``.
    public func sagaServer(explicit: String?) throws(DevError) -> String {
        if let explicit { return try checked(explicit, origin: "--server") }
        var directory = executable.deletingLastPathComponent()
        // A test bundle sits a level or two below the build directory on some platforms.
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("saga-server").path
            if isExecutable(candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("saga-server").path
            if isExecutable(candidate) { return candidate }
        }
        throw .serverNotFound(searched: ["--server", "next to \(executable.path)", "saga-server on PATH"])
    }

    private func checked(_ path: String, origin: String) throws(DevError) -> String {
        guard isExecutable(path) else { throw .notExecutable(path: path, origin: origin) }
        return path
    }

    private func isExecutable(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
