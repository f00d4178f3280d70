import ArgumentParser
import Avro
import Foundation

/// `sagactl schema check`.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the contracts for CI: every schema parses, and every change is backward compatible.",
        discussion: """
            Parses every .avsc in the directory (with references between files), checks that each \
            file is named after the type it defines (<full name>.avsc), and compares each schema, \
            with the types it uses from other files expanded, with its previous version in git: by \
            default the newest commit at which it differs (so a change to Money checks every message \
            that uses Money, before or after committing); with --against, the version at that \
            revision (e.g. origin/main in a pull request). With --registry URL \
            (credentials from the environment as for schema register), checks each contract against the latest \
            version of each of its subjects in a schema registry instead, at the registry's own \
            compatibility level (a subject the registry lacks is new, and passes). Exits 1 on any failure.
            """
    )

    @Option(help: "The directory of .avsc files.") var dir: String = "schemas"
    @Option(help: "Compare with the files at this git revision instead of each file's previous version.")
    var against: String?
    @Option(help: "The compatibility every change must keep: backward, forward, full or none.")
    var level: AvroCompatibility.Level = .backward
    @OptionGroup var registry: RegistryOptions

    func run() async throws {
        try await runReportingErrors {
            let failures = registry.url == nil ? try check() : try await RegistryCheck.run(directory: dir, registry: registry)
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
        let git = GitContentCache(git: GitFiles(directory: directory))
        let history = against == nil ? try git.git.commitsTouchingDirectory() : []
        var failures = 0
        for name in names {
            guard let schema = set.schemas[name] else { continue }
            if let fullName = schema.fullName?.fullName, name != fullName + ".avsc" {
                StandardStreams.writeLine("FAIL \(name): defines \(fullName), so it must be named \(fullName).avsc")
                failures += 1
                continue
            }
            failures += try checkEvolution(of: name, schema: schema, git: git, history: history) ? 0 : 1
        }
        StandardStreams.writeLine("\(names.count) schema(s) checked, \(failures) failed")
        return failures
    }

    /// Compares one file with its earlier version; prints the outcome, returns whether it passed.
    func checkEvolution(of name: String, schema: AvroSchema, git: GitContentCache, history: [String]) throws -> Bool {
        // The old version's references are read from the same revision.
        func load(at revision: String) throws -> AvroSchema? {
            guard try git.content(of: name, at: revision) != nil else { return nil }
            return try SchemaFileLoader { file in try git.content(of: file, at: revision) }.load(name)
        }
        var baseline: (revision: String, schema: AvroSchema)?
        if let against {
            do {
                guard let old = try load(at: against) else {
                    StandardStreams.writeLine("ok   \(name): new since \(against)")
                    return true
                }
                baseline = (against, old)
            } catch {
                StandardStreams.writeLine("FAIL \(name): its version at \(against) does not parse: \(error)")
                return false
            }
        } else {
            for commit in history {
                let old: AvroSchema?
                do {
                    old = try load(at: commit)
                } catch {
                    StandardStreams.writeLine("ok   \(name): its version at \(commit.prefix(12)) does not parse, nothing to compare")
                    return true
                }
                guard let old else { break }  // the file is new since this commit
                if old != schema {
                    baseline = (commit, old)
                    break
                }
            }
        }
        guard let baseline else {
            StandardStreams.writeLine("ok   \(name): no earlier version\(against.map { " (same as at \($0))" } ?? "")")
            return true
        }
        let report = AvroCompatibility.compare(old: baseline.schema, new: schema)
        let short = String(baseline.revision.prefix(12))
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
