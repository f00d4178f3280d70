import Foundation
import Testing

/// `docs/guide/your-first-saga.md` shows excerpts of this repository's files: each Swift or JSON
/// block is followed by the file it comes from, and must appear there line for line (indentation
/// aside), so the code the guide shows is the code CI compiles and tests.
@Suite struct GuideTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fenced block and the file named under it.
    struct Excerpt {
        var language: String
        var lines: [String]
        var file: String?
    }

    static func excerpts(of markdown: String) -> [Excerpt] {
        var excerpts: [Excerpt] = []
        var current: Excerpt?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if var open = current {
                if line == "```" {
                    excerpts.append(open)
                    current = nil
                } else {
                    open.lines.append(line)
                    current = open
                }
            } else if line.hasPrefix("```") {
                current = Excerpt(language: String(line.dropFirst(3)), lines: [], file: nil)
            } else if line.hasPrefix("<sub>From `"), let last = excerpts.indices.last, excerpts[last].file == nil {
                excerpts[last].file = line.split(separator: "`").dropFirst().first.map(String.init)
            }
        }
        return excerpts
    }

    static func stripped(_ lines: [String]) -> [String] {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Whether `needle` occurs in `haystack` as consecutive lines.
    static func contains(_ haystack: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            return true
        }
        return false
    }

    @Test func everyCodeBlockOfTheGuideIsAnExcerptOfTheFileItNames() throws {
        let guide = try String(contentsOf: Self.root.appendingPathComponent("docs/guide/your-first-saga.md"), encoding: .utf8)
        let code = Self.excerpts(of: guide).filter { $0.language == "swift" || $0.language == "json" }
        #expect(code.count >= 10)
        for excerpt in code {
            let file = try #require(excerpt.file, "a block without a source under it: \(excerpt.lines.prefix(2))")
            let source = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            let haystack = Self.stripped(source.components(separatedBy: "\n"))
            let needle = Self.stripped(excerpt.lines)
            let found = Self.contains(haystack, needle)
            #expect(found, "the guide's block starting \"\(needle.first ?? "")\" is not in \(file) as shown")
        }
    }

    @Test func aChangedBlockIsCaught() {
        let markdown = "```swift\nlet a = 1\n```\n<sub>From `x.swift`.</sub>\n```sh\nls\n```\n"
        let excerpts = Self.excerpts(of: markdown)
        #expect(excerpts.map(\.file) == ["x.swift", nil])
        #expect(Self.stripped(excerpts[0].lines) == ["let a = 1"])
        #expect(Self.contains(["let a = 1", "let b = 2"], ["let b = 2"]))
        #expect(!Self.contains(["let a = 1", "let b = 2"], ["let a = 1", "let c = 3"]))
    }
}
