import ArgumentParser
import Avro
import Foundation

/// `sagactl schema check`.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the contracts for CI: every schema parses, and every change is backward compatible.",
        discussion: """
            Parses every .avsc in the directory (with references between files), checks that each \
            file is named after the type it defines (<full name>.avsc), and compares each file with \
            its previous version in git: by default the newest committed version that differs from \
            the current content (so it works before and after committing); with --against, the \
            version at that revision (e.g. origin/main in a pull request). Exits 1 on any failure.
            """
    )

    @Option(help: "The directory of .avsc files.") var dir: String = "schemas"
    @Option(help: "Compare with the files at this git revision instead of each file's previous version.")
    var against: String?
    @Option(help: "The compatibility every change must keep: backward, forward, full or none.")
    var level: AvroCompatibility.Level = .backward

    func run() throws {
        try runReportingErrors {
            let failures = try check()
            if failures > 0 {
                throw CLIError.failed("\(failures) schema file(s) failed the check")
            }
        }
    }

    /// Prints a line per file; returns the number of files that failed.
    func check() throws -> Int {
        let directory = URL(fileURLWithPath: dir)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".avsc") }.sorted()
        } catch {
            throw CLIError.input("cannot list \(dir): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw CLIError.input("no .avsc files in \(dir)") }
        let set: AvroSchemaSet
        do {
            set = try AvroSchemaSet.parsing(files: names.map { directory.appendingPathComponent($0) })
        } catch {
            StandardStreams.writeLine("FAIL \(error)")
            return 1
        }
        let git = GitFiles(directory: directory)
        var failures = 0
        for name in names {
            guard let schema = set.schemas[name] else { continue }
            if let fullName = schema.fullName?.fullName, name != fullName + ".avsc" {
                StandardStreams.writeLine("FAIL \(name): defines \(fullName), so it must be named \(fullName).avsc")
                failures += 1
                continue
            }
            failures += try checkEvolution(of: name, schema: schema, in: directory, git: git) ? 0 : 1
        }
        StandardStreams.writeLine("\(names.count) schema(s) checked, \(failures) failed")
        return failures
    }

    /// Compares one file with its earlier version; prints the outcome, returns whether it passed.
    func checkEvolution(of name: String, schema: AvroSchema, in directory: URL, git: GitFiles) throws -> Bool {
        let current = String(decoding: try Data(contentsOf: directory.appendingPathComponent(name)), as: UTF8.self)
        let revision: String
        if let against {
            guard let old = try git.content(of: name, at: against) else {
                StandardStreams.writeLine("ok   \(name): new since \(against)")
                return true
            }
            if old == current {
                StandardStreams.writeLine("ok   \(name): unchanged since \(against)")
                return true
            }
            revision = against
        } else {
            guard let previous = try git.previousVersion(of: name, current: current) else {
                StandardStreams.writeLine("ok   \(name): no earlier version")
                return true
            }
            revision = previous.revision
        }
        // The old version's references are read from the same revision.
        let loader = SchemaFileLoader { file in try git.content(of: file, at: revision) }
        let oldSchema: AvroSchema
        do {
            oldSchema = try loader.load(name)
        } catch {
            StandardStreams.writeLine("FAIL \(name): its version at \(revision.prefix(12)) does not parse: \(error)")
            return false
        }
        let report = AvroCompatibility.compare(old: oldSchema, new: schema)
        let short = String(revision.prefix(12))
        if report.satisfies(level) {
            StandardStreams.writeLine("ok   \(name): \(report.level.rawValue) compatible with \(short)")
            return true
        }
        StandardStreams.writeLine("FAIL \(name): not \(level.rawValue) compatible with its version at \(short)")
        let problems = level == .forward ? report.forwardProblems : report.backwardProblems + (level == .full ? report.forwardProblems : [])
        for problem in problems { StandardStreams.writeLine("       - \(problem)") }
        return false
    }
}
