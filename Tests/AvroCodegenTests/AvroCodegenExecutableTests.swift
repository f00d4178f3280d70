import Foundation
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

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, error: String(decoding: message, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("avro-codegen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesOneFilePerSchemaPlusTheIndexAndKeepsUnchangedFiles() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let money = directory.appendingPathComponent("t.Money.avsc")
        let paid = directory.appendingPathComponent("t.Paid.avsc")
        try Data(#"{"type":"record","name":"Money","namespace":"t","fields":[{"name":"minor","type":"long"}]}"#.utf8).write(to: money)
        try Data(#"{"type":"record","name":"Paid","namespace":"t","fields":[{"name":"amount","type":"t.Money"}]}"#.utf8).write(to: paid)
        let output = directory.appendingPathComponent("out")
        // Dependencies after their users: the order of the arguments does not matter.
        let first = try Self.run(["--output", output.path, "--index", "Index.swift", paid.path, money.path])
        #expect(first.status == 0, "\(first.error)")
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(files == ["Index.swift", "t.Money.swift", "t.Paid.swift"])
        let paidSource = try String(contentsOf: output.appendingPathComponent("t.Paid.swift"), encoding: .utf8)
        #expect(paidSource.contains("public var amount: Money"))

        let before = try FileManager.default.attributesOfItem(atPath: output.appendingPathComponent("t.Money.swift").path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 1.1)
        let second = try Self.run(["--output", output.path, "--index", "Index.swift", paid.path, money.path])
        #expect(second.status == 0)
        let after = try FileManager.default.attributesOfItem(atPath: output.appendingPathComponent("t.Money.swift").path)[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test func anInvalidSchemaFailsNamingTheFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("t.Bad.avsc")
        try Data(#"{"type":"record","name":"Bad","fields":[{"name":"x","type":"Mony"}]}"#.utf8).write(to: bad)
        let result = try Self.run(["--output", directory.appendingPathComponent("out").path, bad.path])
        #expect(result.status == 1)
        #expect(result.error.contains("t.Bad.avsc"))
        #expect(result.error.contains("Mony"))
        let usage = try Self.run([bad.path])
        #expect(usage.status == 1)
        #expect(usage.error.contains("usage"))
    }
}
