import Foundation

/// The web console's files (HTML, CSS, JavaScript), read once from a directory into memory.
///
/// They ship as the `SagaAPI` target's SwiftPM resources: the build puts them in
/// `swift-saga_SagaAPI.resources/Assets` beside every executable that links this module
/// (`saga-server`, `sagactl`, the test runner), and `deployments/Dockerfile` copies that folder
/// beside the installed binaries. ``locate(executableDirectory:)`` looks there.
public struct ConsoleAssets: Sendable {
    /// One served file.
    public struct File: Sendable, Hashable {
        /// The bytes.
        public var contents: [UInt8]
        /// The `Content-Type` it is served with.
        public var contentType: String
    }

    /// Why the console's files could not be loaded.
    public enum LoadError: Error, Sendable, Hashable, CustomStringConvertible {
        /// None of `searched` holds the console's `index.html`.
        case notInstalled(searched: [String])
        /// A file in the console's folder could not be read.
        case unreadable(path: String, reason: String)

        /// What went wrong, naming the paths.
        public var description: String {
            switch self {
            case .notInstalled(let searched):
                "the web console's files are not installed: no index.html in " + searched.joined(separator: ", ")
                    + " (copy the swift-saga_SagaAPI.resources folder of the build beside the executable)"
            case .unreadable(let path, let reason): "cannot read the web console's file \(path): \(reason)"
            }
        }
    }

    /// The name of the resource bundle SwiftPM builds for the `SagaAPI` target.
    public static let bundleName = "swift-saga_SagaAPI.resources"

    /// The files by name (`index.html`, `console.js`).
    public let files: [String: File]
    /// The folder they were read from.
    public let directory: String

    /// Reads every file of `directory` (not recursively).
    public init(directory: String) throws(LoadError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .unreadable(path: directory, reason: "\(error)")
        }
        var files: [String: File] = [:]
        for name in names where Self.contentType(of: name) != nil {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .unreadable(path: path, reason: "no such file or not readable")
            }
            files[name] = File(contents: Array(data), contentType: Self.contentType(of: name) ?? "application/octet-stream")
        }
        guard files["index.html"] != nil else { throw .notInstalled(searched: [directory]) }
        self.files = files
        self.directory = directory
    }

    /// The console beside the running executable (`<dir>/swift-saga_SagaAPI.resources/Assets`),
    /// or in `<dir>/../share/swift-saga/console`.
    public static func locate(executableDirectory: String = Self.executableDirectory) throws(LoadError) -> ConsoleAssets {
        let candidates = [
            executableDirectory + "/" + bundleName + "/Assets",
            (executableDirectory as NSString).deletingLastPathComponent + "/share/swift-saga/console",
        ]
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate + "/index.html") {
            return try ConsoleAssets(directory: candidate)
        }
        throw .notInstalled(searched: candidates)
    }

    /// The folder of the running executable (symbolic links resolved).
    public static var executableDirectory: String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let path = executable.path == "/proc/self/exe" ? (Bundle.main.executablePath ?? CommandLine.arguments[0]) : executable.path
        return (path as NSString).deletingLastPathComponent
    }

    /// The media type of a console file by its extension; nil for files the console does not serve.
    static func contentType(of name: String) -> String? {
        switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: nil
        }
    }
}
