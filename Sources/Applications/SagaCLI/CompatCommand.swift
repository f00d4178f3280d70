import ArgumentParser
import Avro

extension AvroCompatibility.Level: ExpressibleByArgument {}

/// `sagactl schema compat OLD NEW`.
struct CompatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compat",
        abstract: "Tell whether NEW is backward, forward or fully compatible with OLD, and what breaks.",
        discussion: """
            backward: consumers with NEW read data written with OLD (the rule for our topics: \
            messages written before a deploy are still there). forward: consumers with OLD read \
            data written with NEW. full: both. Exits 1 when --require does not hold.
            """
    )

    @Argument(help: "The old version of the schema (.avsc).") var old: String
    @Argument(help: "The new version of the schema (.avsc).") var new: String
    @Option(help: "The level that must hold: full, backward, forward or none.")
    var require: AvroCompatibility.Level = .backward

    func run() throws {
        try runReportingErrors {
            let report = AvroCompatibility.compare(old: try SchemaFileLoader.loadPath(old), new: try SchemaFileLoader.loadPath(new))
            for line in Self.describe(report, old: old, new: new) { StandardStreams.writeLine(line) }
            if !report.satisfies(require) {
                throw CLIError.failed("\(new) is not \(require.rawValue) compatible with \(old)")
            }
        }
    }

    /// The report as lines: the level, then each problem under the direction it breaks.
    static func describe(_ report: AvroCompatibility.Report, old: String, new: String) -> [String] {
        var lines: [String]
        switch report.level {
        case .full: lines = ["\(new) is fully compatible with \(old) (backward and forward)."]
        case .backward: lines = ["\(new) is backward compatible with \(old), not forward compatible."]
        case .forward: lines = ["\(new) is forward compatible with \(old), not backward compatible."]
        case .none: lines = ["\(new) is neither backward nor forward compatible with \(old)."]
        }
        if !report.backwardProblems.isEmpty {
            lines.append("Backward (reading old data with the new schema) breaks:")
            lines += report.backwardProblems.map { "  - \($0)" }
        }
        if !report.forwardProblems.isEmpty {
            lines.append("Forward (reading new data with the old schema) breaks:")
            lines += report.forwardProblems.map { "  - \($0)" }
        }
        return lines
    }
}
