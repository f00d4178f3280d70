import Avro

/// Finds records that can contain themselves.
///
/// A record that recurs through an array or a map is fine in Swift (collections store their
/// elements out of line); its decoder counts nesting depth so hostile input cannot overflow
/// the stack. A record that recurs only through fields, optionals or unions would be a Swift
/// struct of infinite size, which the generator reports instead of emitting code that does
/// not compile.
struct RecursionCheck {
    let schemaSet: AvroSchemaSet

    /// The records that can (through any path) contain themselves.
    func recursiveRecords() throws(AvroCodegenError) -> Set<AvroName> {
        var result: Set<AvroName> = []
        for (name, schema) in schemaSet.namedTypes {
            guard case .record = schema else { continue }
            var seen: Set<AvroName> = []
            if reaches(name, from: schema, inline: true, seen: &seen) {
                throw AvroCodegenError(
                    "record contains itself through fields, optionals or unions only; put an array or a map on the path (a Swift struct cannot hold itself)",
                    location: name.fullName)
            }
            seen = []
            if reaches(name, from: schema, inline: false, seen: &seen) { result.insert(name) }
        }
        return result
    }

    /// Throws for records the generator cannot express.
    func check() throws(AvroCodegenError) {
        _ = try recursiveRecords()
    }

    /// Whether `target` is reachable from the fields of `schema`; with `inline`, only through
    /// paths that do not pass an array or a map.
    private func reaches(_ target: AvroName, from schema: AvroSchema, inline: Bool, seen: inout Set<AvroName>) -> Bool {
        switch schema {
        case .record(let r):
            return r.fields.contains { reachesType(target, $0.type, inline: inline, seen: &seen) }
        default:
            return false
        }
    }

    private func reachesType(_ target: AvroName, _ schema: AvroSchema, inline: Bool, seen: inout Set<AvroName>) -> Bool {
        switch schema {
        case .array(let inner), .map(let inner):
            return inline ? false : reachesType(target, inner, inline: inline, seen: &seen)
        case .union(let branches):
            return branches.contains { reachesType(target, $0, inline: inline, seen: &seen) }
        case .logical(_, let base):
            return reachesType(target, base, inline: inline, seen: &seen)
        case .record(let r):
            return reachesNamed(target, r.name, inline: inline, seen: &seen)
        case .reference(let name):
            return reachesNamed(target, name, inline: inline, seen: &seen)
        default:
            return false
        }
    }

    private func reachesNamed(_ target: AvroName, _ name: AvroName, inline: Bool, seen: inout Set<AvroName>) -> Bool {
        if name == target { return true }
        if seen.contains(name) { return false }
        seen.insert(name)
        guard let definition = schemaSet.namedTypes[name] else { return false }
        return reaches(target, from: definition, inline: inline, seen: &seen)
    }
}
