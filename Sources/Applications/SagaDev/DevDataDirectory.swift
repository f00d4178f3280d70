import Foundation

/// The data directory of a `sagactl dev` run: the one given, or a fresh temporary directory
/// that is deleted at the end unless it is to be kept.
public struct DevDataDirectory: Sendable {
    /// The directory.
    public let url: URL
    /// Whether ``finish()`` deletes it.
    public let deletesOnFinish: Bool

    /// Uses `path` (created if missing; never deleted), or a fresh temporary directory deleted
    /// by ``finish()`` unless `keep`.
    public init(path: String?, keep: Bool) throws {
        if let path {
            url = URL(fileURLWithPath: path).standardizedFileURL
            deletesOnFinish = false
        } else {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("sagactl-dev-\(UUID().uuidString.prefix(8).lowercased())")
            deletesOnFinish = !keep
        }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `name` inside the directory.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Deletes the directory if it is a temporary one not to be kept; returns whether it did.
    @discardableResult
    public func finish() throws -> Bool {
        guard deletesOnFinish else { return false }
        try FileManager.default.removeItem(at: url)
        return true
    }
}
