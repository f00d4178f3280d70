import Avro
import Foundation
import SagaContracts
import SagaCore
import SagaSQLite

/// The local checks of `sagactl doctor`: the SQLite stores and the schema directory.
enum LocalDoctor {
    /// The `.sqlite` files to check: every `--store`, plus every `*.sqlite` in the data directory.
    static func storePaths(stores: [String], dataDirectory: String?) -> (paths: [String], problem: DoctorCheck?) {
        var paths = stores
        guard let dataDirectory else { return (paths, nil) }
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: dataDirectory).filter { $0.hasSuffix(".sqlite") }.sorted()
            paths += names.map { URL(fileURLWithPath: dataDirectory).appendingPathComponent($0).path }
            if names.isEmpty {
                return (paths, .warn("data directory", "\(dataDirectory) has no *.sqlite file",
                                     fix: "start the services once (they create their stores) or give the right --data-dir"))
            }
            return (paths, nil)
        } catch {
            return (paths, .fail("data directory", "cannot list \(dataDirectory): \(error.localizedDescription)",
                                 fix: "give the directory of the services' SQLite files (SAGA_DATA_DIR)"))
        }
    }

    /// One store: opens it read-only and reports its schema state, pending outbox rows and sagas by status.
    static func store(at path: String, now: Date = Date()) -> DoctorCheck {
        let name = "store \(path)"
        guard FileManager.default.fileExists(atPath: path) else {
            return .fail(name, "no such file", fix: "give the path of an existing store (a service creates its store at start)")
        }
        let inspection: SagaStoreInspection
        do {
            inspection = try SagaStoreInspection.inspect(path: path)
        } catch {
            return .fail(name, "cannot be read as a SQLite store: \(error)", fix: "check the path and the file's permissions")
        }
        return .store(name, inspection, kind: "store", owner: "the service that owns it", now: now)
    }

    /// The schema directory: present, parses, and every schema in it is fully compatible with
    /// the contract type of the same name compiled into this build.
    static func schemas(directory: String) -> DoctorCheck {
        let name = "schemas \(directory)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .warn(name, "no schema directory",
                         fix: "give --schemas DIR or set SAGA_SCHEMAS (sagactl publish and schema check read the .avsc files there)")
        }
        let contracts: ContractSchemas
        do {
            contracts = try ContractSchemas.load(directory: directory)
        } catch {
            return .fail(name, "\(error)", fix: "run sagactl schema check --dir \(directory) and fix what it reports")
        }
        var compiled: [String: AvroSchema] = [:]
        for type in AvroGeneratedTypes.all {
            if let fullName = type.avroSchema.fullName?.fullName { compiled[fullName] = type.avroSchema }
        }
        var different: [String] = []
        var incompatible: [String] = []
        for (fullName, schema) in contracts.byName.sorted(by: { $0.key < $1.key }) {
            guard let built = compiled[fullName], built != schema else { continue }
            let report = AvroCompatibility.compare(old: schema, new: built)
            if report.satisfies(.full) { different.append(fullName) } else { incompatible.append(fullName) }
        }
        let missing = compiled.keys.filter { contracts.byName[$0] == nil }.sorted()
        let summary = "\(contracts.byName.count) schema(s) parse; \(compiled.count) contract type(s) in this build"
        if !incompatible.isEmpty {
            return .fail(name, summary + "; not fully compatible with this build: " + incompatible.joined(separator: ", "),
                         fix: "deploy the schemas this build was made from (or the build made from these schemas)")
        }
        if !different.isEmpty || !missing.isEmpty {
            var notes: [String] = []
            if !different.isEmpty { notes.append("differ but stay compatible: " + different.joined(separator: ", ")) }
            if !missing.isEmpty { notes.append("missing from the directory: " + missing.joined(separator: ", ")) }
            return .warn(name, summary + "; " + notes.joined(separator: "; "),
                         fix: "keep the schema directory at the version this build was made from")
        }
        return .ok(name, summary + ", all identical")
    }
}
