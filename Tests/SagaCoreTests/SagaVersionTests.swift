import Foundation
import SagaCore
import Testing

@Suite struct SagaVersionTests {
    @Test func theChangelogsFirstEntryIsTheCurrentVersion() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let changelog = try String(contentsOf: root.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        let first = changelog.split(separator: "\n").first { $0.hasPrefix("## ") }
        #expect(first.map(String.init) == "## \(SagaVersion.current)")
    }
}
