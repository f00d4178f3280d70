import Avro
import Foundation

/// Loads one `.avsc` file whose named-type references live in other files of the same
/// directory, following the contracts' convention (schemas/README.md): the type
/// `com.acme.Money` is defined in `com.acme.Money.avsc`. Dependencies are loaded first,
/// recursively, so files can be given in any order and only what is needed is read.
struct SchemaFileLoader {
    /// Reads a file of the directory by name; nil when there is no such file.
    var read: (String) throws -> String?

    /// A loader over a directory on disk.
    static func directory(_ url: URL) -> SchemaFileLoader {
        SchemaFileLoader { name in
            let file = url.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else { return nil }
            return String(decoding: try Data(contentsOf: file), as: UTF8.self)
        }
    }

    /// Parses `fileName` and whatever it references; the result is self-contained.
    func load(_ fileName: String) throws -> AvroSchema {
        var set = AvroSchemaSet()
        return try load(fileName, into: &set, loading: [])
    }

    private func load(_ fileName: String, into set: inout AvroSchemaSet, loading: [String]) throws -> AvroSchema {
        guard let text = try read(fileName) else {
            throw CLIError.input("\(fileName): no such file")
        }
        while true {
            let missing: AvroName
            switch Self.parse(text, source: fileName, into: &set) {
            case .success(let schema): return schema
            case .failure(let error):
                guard let name = error.unknownName else { throw error }
                let dependency = name.fullName + ".avsc"
                guard !loading.contains(dependency), dependency != fileName else {
                    throw CLIError.input("\(fileName): references between files form a cycle: \((loading + [fileName, dependency]).joined(separator: " -> "))")
                }
                guard try read(dependency) != nil else {
                    throw CLIError.input("\(error.description) (looked for its definition in \(dependency) beside \(fileName))")
                }
                missing = name
                _ = try load(dependency, into: &set, loading: loading + [fileName])
                guard set.namedTypes[missing] != nil else {
                    throw CLIError.input("\(fileName): uses \(missing.fullName), but \(dependency) does not define it")
                }
            }
        }
    }

    private static func parse(_ text: String, source: String, into set: inout AvroSchemaSet) -> Result<AvroSchema, AvroSchemaError> {
        do {
            return .success(try set.add(parsing: text, source: source))
        } catch {
            return .failure(error)
        }
    }
}

extension SchemaFileLoader {
    /// Loads a schema file given on the command line (a path), with its references from the
    /// same directory; any failure becomes a ``CLIError`` naming the file.
    static func loadPath(_ path: String) throws -> AvroSchema {
        let url = URL(fileURLWithPath: path)
        do {
            return try directory(url.deletingLastPathComponent()).load(url.lastPathComponent)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.input("\(path): \(error)")
        }
    }
}
