#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A shared namespace of named types across several `.avsc` files, so one file can use a
/// type defined in another (e.g. a `Money` record used by every event).
///
/// ```swift
/// var set = AvroSchemaSet()
/// try set.add(parsing: moneyJSON, source: "Money.avsc")
/// let order = try set.add(parsing: orderJSON, source: "OrderPlaced.avsc")  // may say "com.acme.Money"
/// ```
/// or, with files in any order, ``parsingInDependencyOrder(_:)``. Each returned schema is
/// self-contained: a type from another file is inlined at its first use.
public struct AvroSchemaSet: Sendable {
    /// Every named type defined so far, each as a self-contained schema.
    public private(set) var namedTypes: [AvroName: AvroSchema] = [:]
    /// Every schema added, by its source name (or its full name when no source was given).
    public private(set) var schemas: [String: AvroSchema] = [:]

    /// Creates an empty set.
    public init() {}

    /// The named type with this full name, if defined.
    public subscript(fullName: String) -> AvroSchema? { namedTypes[AvroName(fullName: fullName)] }

    /// Parses `json` against the types already in the set and adds its named types.
    /// Redefining a type with a different definition (anything differing, docs and defaults
    /// included) is an error; the same definition again (e.g. two files that both inline
    /// `Money`) is accepted.
    @discardableResult
    public mutating func add(parsing json: String, source: String? = nil) throws(AvroSchemaError) -> AvroSchema {
        let schema = try AvroSchemaParser.parse(json, source: source, external: namedTypes)
        var additions: [AvroName: AvroSchema] = [:]
        for (name, definition) in schema.namedTypes {
            let standalone = AvroSchemaParser.standalone(definition, within: schema)
            if let existing = namedTypes[name] {
                // Compared in full (docs, defaults, aliases, logical types), not just the
                // canonical form: two definitions that read alike but default differently would
                // make readers disagree depending on which file was parsed first.
                guard existing == standalone else {
                    throw AvroSchemaError("\(name) is already defined differently in another schema", location: "", source: source)
                }
            } else {
                additions[name] = standalone
            }
        }
        namedTypes.merge(additions) { old, _ in old }
        schemas[source ?? schema.fullName?.fullName ?? "schema\(schemas.count)"] = schema
        return schema
    }

    /// Parses a file and adds it (its file name is the source in error messages).
    @discardableResult
    public mutating func add(contentsOf url: URL) throws(AvroError) -> AvroSchema {
        let text: String
        do {
            text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        } catch {
            throw .schema(AvroSchemaError("cannot read file: \(error)", location: "", source: url.lastPathComponent))
        }
        do { return try add(parsing: text, source: url.lastPathComponent) } catch { throw .schema(error) }
    }

    /// Parses several schemas that may reference each other's named types, in whatever order
    /// they are given: a schema whose references are not yet defined is retried after the
    /// others. Fails with the first real error, or names the references nobody defines.
    ///
    /// - Parameter sources: pairs of a source name (e.g. a file name) and the schema JSON.
    /// - Returns: the set, whose ``schemas`` holds each parsed schema by source name.
    public static func parsingInDependencyOrder(_ sources: [(source: String, json: String)]) throws(AvroSchemaError) -> AvroSchemaSet {
        var set = AvroSchemaSet()
        var pending = sources
        while !pending.isEmpty {
            var deferred: [(source: String, json: String)] = []
            var firstUnknown: AvroSchemaError?
            for item in pending {
                do {
                    try set.add(parsing: item.json, source: item.source)
                } catch where error.unknownName != nil {
                    deferred.append(item)
                    if firstUnknown == nil { firstUnknown = error }
                }
            }
            if deferred.count == pending.count, let firstUnknown { throw firstUnknown }
            pending = deferred
        }
        return set
    }

    /// Reads and parses `.avsc` files in dependency order (see ``parsingInDependencyOrder(_:)``).
    public static func parsing(files: [URL]) throws(AvroError) -> AvroSchemaSet {
        var sources: [(source: String, json: String)] = []
        for url in files {
            do {
                sources.append((url.lastPathComponent, String(decoding: try Data(contentsOf: url), as: UTF8.self)))
            } catch {
                throw .schema(AvroSchemaError("cannot read file: \(error)", location: "", source: url.lastPathComponent))
            }
        }
        do { return try parsingInDependencyOrder(sources) } catch { throw .schema(error) }
    }
}

extension AvroSchema {
    /// Parses an Avro schema (`.avsc` JSON text). Named types may only reference types
    /// defined in the same text; use ``AvroSchemaSet`` for types shared across files.
    public init(parsing json: String) throws(AvroSchemaError) {
        self = try AvroSchemaParser.parse(json, source: nil, external: [:])
    }

    /// Reads and parses an `.avsc` file.
    public init(contentsOf url: URL) throws(AvroSchemaError) {
        let text: String
        do {
            text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        } catch {
            throw AvroSchemaError("cannot read file: \(error)", location: "", source: url.lastPathComponent)
        }
        self = try AvroSchemaParser.parse(text, source: url.lastPathComponent, external: [:])
    }
}

/// Avro name rules: validation and resolution of (possibly relative) names.
enum AvroNames {
    static let primitiveNames: Set<String> = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]

    /// `[A-Za-z_][A-Za-z0-9_]*`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        func letter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F }
        guard letter(first) else { return false }
        return name.utf8.allSatisfy { letter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// A dotted namespace whose parts are valid names (empty means the null namespace).
    static func isValidNamespace(_ namespace: String) -> Bool {
        namespace.isEmpty || namespace.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isValidName(String($0)) }
    }

    /// The full name for `name` as written inside `namespace`: names with a dot are full.
    static func qualify(_ name: String, in namespace: String?) -> AvroName {
        name.contains(".") ? AvroName(fullName: name) : AvroName(name: name, namespace: namespace)
    }
}
