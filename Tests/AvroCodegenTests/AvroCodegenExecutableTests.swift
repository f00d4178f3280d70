import Foundation
import Subprocess
import SystemPackage
import Testing

/// The `avro-codegen` executable the build-tool plugin runs, run directly.
@Suite struct AvroCodegenExecutableTests {
    struct Run {
        var status: Int32
        var error: String
    }

    /// The executable in the build folder: the product, or the host tool SwiftPM builds for
    /// the plugin (this test target uses the plugin, so that one is always there).
    static func executable() throws -> URL {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for name in ["avro-codegen", "avro-codegen-tool"] {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: folder.appendingPathComponent("avro-codegen").path])
    }

    /// Runs avro-codegen; swift-subprocess collects its standard error (signals cannot break the read).
    static func run(_ arguments: [String]) async throws -> Run {
        let result = try await Subprocess.run(
            .path(FilePath(try executable().path)), arguments: Arguments(arguments),
            output: .discarded, error: .string(limit: 64 << 20)
        )
        let status: Int32 = switch result.terminationStatus {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
        return Run(status: status, error: result.standardError)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("avro-codegen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesOneFilePerSchemaPlusTheIndexAndKeepsUnchangedFiles() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let money = directory.appendingPathComponent("t.Money.avsc")
        let paid = directory.appendingPathComponent("t.Paid.avsc")
        try Data(#"{"type":"record","name":"Money","namespace":"t","fields":[{"name":"minor","type":"long"}]}"#.utf8).write(to: money)
        try Data(#"{"type":"record","name":"Paid","namespace":"t","fields":[{"name":"amount","type":"t.Money"}]}"#.utf8).write(to: paid)
        let output = directory.appendingPathComponent("out")
        // Dependencies after their users: the order of the arguments does not matter.
        let first = try await Self.run(["--output", output.path, "--index", "Index.swift", paid.path, money.path])
        #expect(first.status == 0, "\(first.error)")
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(files == ["Index.swift", "t.Money.swift", "t.Paid.swift"])
        let paidSource = try String(contentsOf: output.appendingPathComponent("t.Paid.swift"), encoding: .utf8)
        #expect(paidSource.contains("public var amount: Money"))

        // Stamped in the past: a rewrite, however soon, would give it the time of writing.
        let before = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: before], ofItemAtPath: output.appendingPathComponent("t.Money.swift").path)
        let second = try await Self.run(["--output", output.path, "--index", "Index.swift", paid.path, money.path])
        #expect(second.status == 0)
        let after = try FileManager.default.attributesOfItem(atPath: output.appendingPathComponent("t.Money.swift").path)[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test func anInvalidSchemaFailsNamingTheFile() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("t.Bad.avsc")
        try Data(#"{"type":"record","name":"Bad","fields":[{"name":"x","type":"Mony"}]}"#.utf8).write(to: bad)
        let result = try await Self.run(["--output", directory.appendingPathComponent("out").path, bad.path])
        #expect(result.status == 1)
        #expect(result.error.contains("t.Bad.avsc"))
        #expect(result.error.contains("Mony"))
        let usage = try await Self.run([bad.path])
        #expect(usage.status == 1)
        #expect(usage.error.contains("usage"))
    }
}
