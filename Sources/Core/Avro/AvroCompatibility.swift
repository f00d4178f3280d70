// Schema evolution checks (written for `sagactl schema compat` and `check`): can a reader
// with one schema read everything written with another, and if not, which field breaks what.
//
// `AvroResolvingDecoder` fails up front only on what no data can get past; a writer enum
// symbol the reader lacks, or a writer union branch the reader cannot take, fails only when
// a message uses it. For evolution those are breaks too, so this walk reports every problem
// it finds, each with its path, instead of stopping at the first.

/// Compatibility of two versions of a schema, in Avro's schema-resolution sense.
public enum AvroCompatibility {
    /// One reason a reader cannot read a writer's data.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// Where, as field names from the top-level record (`items[].unitPrice`); empty for the top.
        public var path: [String]
        /// What breaks.
        public var message: String

        public var description: String {
            path.isEmpty ? message : "\(AvroPath.describe(path)): \(message)"
        }
    }

    /// How a new version relates to an old one.
    public enum Level: String, Sendable, Hashable, CaseIterable {
        /// New readers read old data and old readers read new data.
        case full
        /// New readers read old data (what messages still in the topics need after a deploy).
        case backward
        /// Old readers read new data.
        case forward
        /// Neither.
        case none
    }

    /// The result of comparing an old and a new version.
    public struct Report: Sendable, Hashable {
        /// Why the new schema cannot read old data (empty: backward compatible).
        public var backwardProblems: [Problem]
        /// Why the old schema cannot read new data (empty: forward compatible).
        public var forwardProblems: [Problem]

        /// The strongest level that holds.
        public var level: Level {
            switch (backwardProblems.isEmpty, forwardProblems.isEmpty) {
            case (true, true): .full
            case (true, false): .backward
            case (false, true): .forward
            case (false, false): .none
            }
        }

        /// True when `required` holds (`.none` always holds).
        public func satisfies(_ required: Level) -> Bool {
            switch required {
            case .full: backwardProblems.isEmpty && forwardProblems.isEmpty
            case .backward: backwardProblems.isEmpty
            case .forward: forwardProblems.isEmpty
            case .none: true
            }
        }
    }

    /// Compares `new` with `old` both ways.
    public static func compare(old: AvroSchema, new: AvroSchema) -> Report {
        Report(backwardProblems: problems(writer: old, reader: new), forwardProblems: problems(writer: new, reader: old))
    }

    /// Every reason why data written with `writer` cannot be read with `reader` (empty when it can).
    public static func problems(writer: AvroSchema, reader: AvroSchema) -> [Problem] {
        var walk = Walk(writerNames: writer.namedTypes, readerNames: reader.namedTypes)
        walk.check(writer: writer, reader: reader, path: [])
        return walk.problems
    }

    struct Walk {
        let writerNames: [AvroName: AvroSchema]
        let readerNames: [AvroName: AvroSchema]
        var problems: [Problem] = []
        /// Named pairs already being compared (recursive schemas).
        var visiting: Set<[AvroName]> = []

        func resolve(_ schema: AvroSchema, _ names: [AvroName: AvroSchema]) -> AvroSchema {
            if case .reference(let name) = schema, let definition = names[name] { return definition }
            return schema
        }

        mutating func report(_ path: [String], _ message: String) {
            problems.append(Problem(path: path, message: message))
        }

        /// Whether `writer` can be read as `reader` at all, without recording anything: used to
        /// pick the reader union branch a writer type goes to.
        func matches(writer: AvroSchema, reader: AvroSchema) -> Bool {
            let w = resolve(writer, writerNames).withoutLogicalType, r = resolve(reader, readerNames).withoutLogicalType
            switch (w, r) {
            case (.record(let a), .record(let b)): return AvroCompatibility.namesMatch(a.name, b.name, readerAliases: b.aliases)
            case (.enumeration(let a), .enumeration(let b)): return AvroCompatibility.namesMatch(a.name, b.name, readerAliases: b.aliases)
            case (.fixed(let a), .fixed(let b)): return AvroCompatibility.namesMatch(a.name, b.name, readerAliases: b.aliases) && a.size == b.size
            case (.array, .array), (.map, .map): return true
            default: return AvroCompatibility.promotes(w, to: r)
            }
        }

        mutating func check(writer: AvroSchema, reader: AvroSchema, path: [String]) {
            let w = resolve(writer, writerNames), r = resolve(reader, readerNames)
            if case .logical(.decimal(_, let ws), _) = w, case .logical(.decimal(_, let rs), _) = r, ws != rs {
                report(path, "decimal scale changed from \(ws) to \(rs); the same bytes would mean another amount")
            }
            let wb = w.withoutLogicalType, rb = r.withoutLogicalType
            switch (wb, rb) {
            case (.union(let wBranches), _):
                for (i, branch) in wBranches.enumerated() {
                    if case .union(let rBranches) = rb {
                        guard let target = rBranches.first(where: { matches(writer: branch, reader: $0) }) else {
                            report(path, "the writer's union branch \(i) (\(describe(branch))) matches no branch of the reader's union [\(rBranches.map(describe).joined(separator: ", "))]")
                            continue
                        }
                        check(writer: branch, reader: target, path: path)
                    } else if matches(writer: branch, reader: rb) {
                        check(writer: branch, reader: r, path: path)
                    } else {
                        report(path, "the writer's union branch \(i) (\(describe(branch))) cannot be read as \(describe(rb))")
                    }
                }
            case (_, .union(let rBranches)):
                guard let target = rBranches.first(where: { matches(writer: w, reader: $0) }) else {
                    report(path, "the writer's \(describe(wb)) matches no branch of the reader's union [\(rBranches.map(describe).joined(separator: ", "))]")
                    return
                }
                check(writer: w, reader: target, path: path)
            case (.record(let a), .record(let b)):
                checkRecord(writer: a, reader: b, path: path)
            case (.enumeration(let a), .enumeration(let b)):
                guard AvroCompatibility.namesMatch(a.name, b.name, readerAliases: b.aliases) else {
                    report(path, "enum \(a.name) is read as a differently named enum \(b.name) (add an alias)")
                    return
                }
                let missing = a.symbols.filter { !b.symbols.contains($0) }
                if !missing.isEmpty, b.defaultSymbol == nil {
                    report(path, "enum \(b.name) lacks the writer's symbol(s) \(missing.joined(separator: ", ")) and has no default symbol")
                }
            case (.fixed(let a), .fixed(let b)):
                if !AvroCompatibility.namesMatch(a.name, b.name, readerAliases: b.aliases) {
                    report(path, "fixed \(a.name) is read as a differently named fixed \(b.name) (add an alias)")
                } else if a.size != b.size {
                    report(path, "fixed \(b.name) changed size from \(a.size) to \(b.size)")
                }
            case (.array(let a), .array(let b)):
                check(writer: a, reader: b, path: path + ["[]"])
            case (.map(let a), .map(let b)):
                check(writer: a, reader: b, path: path + ["{}"])
            default:
                if !AvroCompatibility.promotes(wb, to: rb) {
                    report(path, "type changed from \(describe(wb)) to \(describe(rb)), which Avro cannot promote")
                }
            }
        }

        mutating func checkRecord(writer a: AvroRecordSchema, reader b: AvroRecordSchema, path: [String]) {
            guard AvroCompatibility.namesMatch(a.name, b.name, readerAliases: b.aliases) else {
                report(path, "record \(a.name) is read as a differently named record \(b.name) (add an alias)")
                return
            }
            let key = [a.name, b.name]
            if visiting.contains(key) { return }
            visiting.insert(key)
            defer { visiting.remove(key) }
            for field in b.fields {
                let names = [field.name] + field.aliases
                if let source = a.fields.first(where: { names.contains($0.name) }) {
                    check(writer: source.type, reader: field.type, path: path + [field.name])
                } else if field.defaultValue == nil {
                    report(path + [field.name], "field \(field.name) of \(b.name) is not in the writer's schema and has no default")
                }
            }
        }

        func describe(_ schema: AvroSchema) -> String {
            let s = resolve(schema, writerNames)
            if case .logical(let logical, let base) = s { return "\(base.unionBranchName) (\(logical.name))" }
            return s.unionBranchName
        }
    }

    /// Records, enums and fixed types match by full name, by unqualified name, or when the
    /// reader lists the writer's name among its aliases.
    static func namesMatch(_ writer: AvroName, _ reader: AvroName, readerAliases: [AvroName]) -> Bool {
        writer == reader || writer.name == reader.name || readerAliases.contains(writer)
    }

    /// The same primitive type, or one of Avro's promotions.
    static func promotes(_ writer: AvroSchema, to reader: AvroSchema) -> Bool {
        switch (writer, reader) {
        case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
             (.bytes, .bytes), (.string, .string),
             (.int, .long), (.int, .float), (.int, .double), (.long, .float), (.long, .double), (.float, .double),
             (.string, .bytes), (.bytes, .string):
            true
        default:
            false
        }
    }
}
