import Foundation
import Subprocess
import Testing
@testable import Avro

/// Interoperability with fastavro, an independent implementation (installed by
/// `scripts/setup` into `.deps/python`). Covers every `schemas/*.avsc` of the repository and
/// the tricky schemas in `Tests/AvroTests/Fixtures/`: data fastavro writes decodes in Swift to
/// the same values fastavro reads back (compared in interop.py's exact `plain` JSON form);
/// data Swift writes decodes in fastavro to the same; canonical forms and fingerprints agree;
/// schema resolution agrees with fastavro's on the `Fixtures/resolution` writer/reader pairs.
@Suite struct AvroInteropTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/AvroTests/Fixtures")

    struct PythonError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `interop.py <command>` with `request` and returns its parsed JSON response.
    /// swift-subprocess collects both streams concurrently with non-blocking reads (signals from
    /// other tests' children cannot break them).
    static func python(_ command: String, _ request: JSONValue) async throws -> JSONValue {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("avro-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let requestFile = scratch.appendingPathComponent("request.json")
        try Data(request.serialized.utf8).write(to: requestFile)

        let limit = 256 << 20
        let result = try await Subprocess.run(
            .name("python3"), arguments: [fixtures.appendingPathComponent("interop.py").path, command, requestFile.path],
            environment: .inherit.updating(["PYTHONPATH": root.appendingPathComponent(".deps/python").path]),
            output: .bytes(limit: limit), error: .string(limit: limit)
        )
        guard result.terminationStatus.isSuccess else {
            let stderr = result.standardError
            if stderr.contains("No module named 'fastavro'") {
                throw PythonError(description: "fastavro is not installed in .deps/python: run scripts/setup")
            }
            throw PythonError(description: "interop.py \(command) failed (\(result.terminationStatus)): \(stderr)")
        }
        return try JSONValue(parsing: result.standardOutput)
    }

    /// The schema files under test: `schemas/*.avsc` (whatever the repository has) plus the fixtures.
    static func schemaSources() throws -> [(source: String, json: String)] {
        var sources: [(source: String, json: String)] = []
        for (directory, label) in [(root.appendingPathComponent("schemas"), "schemas"), (fixtures, "Fixtures")] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".avsc") {
                sources.append(("\(label)/\(name)", try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)))
            }
        }
        return sources
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) throws -> [UInt8] {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { throw PythonError(description: "odd hex length") }
        return try stride(from: 0, to: utf8.count, by: 2).map { i in
            guard let byte = UInt8(String(decoding: utf8[i..<i + 2], as: UTF8.self), radix: 16) else {
                throw PythonError(description: "bad hex")
            }
            return byte
        }
    }

    /// A decoded value in the `plain` JSON form of interop.py (unions untagged, exact tagged
    /// logical values), built from our own value model.
    static func plain(_ value: AvroValue) -> JSONValue {
        switch value {
        case .null: .null
        case .boolean(let b): .bool(b)
        case .int(let v): .integer(Int64(v))
        case .long(let v): .integer(v)
        case .float(let v): .double(Double(v))
        case .double(let v): .double(v)
        case .string(let s), .enumeration(let s): .string(s)
        case .bytes(let b), .fixed(let b): .object([("$bytes", .string(hex(b)))])
        case .array(let items): .array(items.map(plain))
        case .map(let entries), .record(let entries): .object(entries.sorted { $0.key < $1.key }.map { ($0.key, plain($0.value)) })
        case .union(_, let inner): plain(inner)
        case .decimal(let d): .object([("$decimal", .string(d.description))])
        case .uuid(let u): .object([("$uuid", .string(u.uuidString.lowercased()))])
        case .date(let days): .object([("$date", .integer(Int64(days)))])
        case .timeMillis(let ms): .object([("$time", .integer(Int64(ms) * 1000))])
        case .timeMicros(let us): .object([("$time", .integer(us))])
        case .timestampMillis(let ms): .object([("$timestamp", .integer(ms * 1000))])
        case .timestampMicros(let us): .object([("$timestamp", .integer(us))])
        case .localTimestampMillis(let ms): .object([("$local", .integer(ms * 1000))])
        case .localTimestampMicros(let us): .object([("$local", .integer(us))])
        // fastavro (1.13) does not know the Avro 1.12 nanosecond types: it ignores the
        // annotation, as the spec asks of readers that do not know a logical type, and reads the long.
        case .timestampNanos(let ns), .localTimestampNanos(let ns): .integer(ns)
        }
    }

    /// JSON equality where object member order does not matter (maps; fastavro keeps insertion
    /// order, Swift writes keys sorted) and numbers compare by value.
    static func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { member in b[member.key].map { sameJSON(member.value, $0) } ?? false }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
        default:
            return a == b
        }
    }

    @Test func fastavroIsInstalled() throws {
        let setup = Self.root.appendingPathComponent(".deps/python/fastavro")
        try #require(FileManager.default.fileExists(atPath: setup.path), "fastavro is missing from .deps/python: run scripts/setup")
    }

    @Test func dataAndFingerprintsAgreeWithFastavro() async throws {
        let sources = try Self.schemaSources()
        try #require(sources.count >= 7, "expected at least the fixture schemas")
        let set = try AvroSchemaSet.parsingInDependencyOrder(sources)
        let request = JSONValue.object([
            ("schemas", .array(sources.map { .object([("source", .string($0.source)), ("json", .string($0.json))]) })),
            ("count", .integer(25)), ("seed", .integer(20_261_121)),
        ])
        let generated = try await Self.python("generate", request)

        var swiftWritten: [(key: String, value: JSONValue)] = []
        var swiftAvroJSON: [String: [JSONValue]] = [:]
        var jsonCompared = 0
        var swiftJSON: [String: [JSONValue]] = [:]
        for (source, _) in sources {
            let schema = try #require(set.schemas[source])
            let expected = try #require(generated[source])
            // Canonical form and fingerprint.
            #expect(expected["canonical"] == .string(schema.canonicalForm), "\(source)")
            #expect(expected["fingerprint"] == .string(Self.hex(AvroFingerprint.littleEndianBytes(schema.fingerprint))), "\(source)")
            // fastavro → Swift.
            guard case .array(let data)? = expected["data"] else { Issue.record("no data for \(source)"); continue }
            let decoder = AvroBinaryDecoder(schema: schema)
            let encoder = AvroBinaryEncoder(schema: schema)
            let coder = AvroJSONCoder(schema: schema)
            var written: [JSONValue] = []
            for (i, datum) in data.enumerated() {
                guard case .string(let hex)? = datum["hex"], case .string(let pythonJSON)? = datum["json"] else {
                    Issue.record("malformed datum \(i) for \(source)"); continue
                }
                let value = try decoder.decode(try Self.bytes(hex: hex))
                let ours = Self.plain(value)
                #expect(Self.sameJSON(ours, try JSONValue(parsing: pythonJSON)), "\(source) datum \(i): Swift \(ours.serialized) vs fastavro \(pythonJSON)")
                // Our Avro JSON encoding round-trips the value, and reads fastavro's.
                #expect(try coder.decode(try coder.encode(value)) == value, "\(source) datum \(i)")
                if case .string(let fastavroJSON)? = datum["avroJSON"] {
                    #expect(try coder.decode(fastavroJSON) == value, "\(source) datum \(i): fastavro JSON \(fastavroJSON)")
                    jsonCompared += 1
                } else {
                    #expect(Self.isRecursive(schema), "fastavro gave no JSON encoding for non-recursive \(source)")
                }
                swiftAvroJSON[source, default: []].append(.string(try coder.encode(value)))
                written.append(.string(Self.hex(try encoder.encode(value))))
                swiftJSON[source, default: []].append(ours)
            }
            swiftWritten.append((source, .array(written)))
        }

        // Swift → fastavro.
        let decoded = try await Self.python("decode", .object([("schemas", request["schemas"] ?? .null), ("data", .object(swiftWritten))]))
        for (source, _) in sources {
            guard case .array(let pythonJSONs)? = decoded[source] else { Issue.record("fastavro returned nothing for \(source)"); continue }
            let ours = swiftJSON[source] ?? []
            #expect(pythonJSONs.count == ours.count, "\(source)")
            for (i, (python, swift)) in zip(pythonJSONs, ours).enumerated() {
                guard case .string(let text) = python else { Issue.record("malformed fastavro output"); continue }
                #expect(Self.sameJSON(try JSONValue(parsing: text), swift), "\(source) datum \(i): fastavro read \(text), Swift wrote \(swift.serialized)")
            }
        }

        // Swift's Avro JSON encoding → fastavro's JSON reader.
        let jsonRead = try await Self.python("json", .object([
            ("schemas", request["schemas"] ?? .null),
            ("json", .object(swiftAvroJSON.map { ($0.key, .array($0.value)) })),
        ]))
        for (source, _) in sources {
            let schema = try #require(set.schemas[source])
            guard case .array(let pythonJSONs)? = jsonRead[source] else {
                #expect(Self.isRecursive(schema), "fastavro could not read Swift's JSON for non-recursive \(source)")
                continue
            }
            for (i, (python, swift)) in zip(pythonJSONs, swiftJSON[source] ?? []).enumerated() {
                guard case .string(let text) = python else { Issue.record("malformed fastavro output"); continue }
                #expect(Self.sameJSON(try JSONValue(parsing: text), swift), "\(source) datum \(i): fastavro read our JSON as \(text)")
                jsonCompared += 1
            }
        }
        #expect(jsonCompared > 0)
    }

    /// Whether a record in `schema` contains itself (fastavro's JSON coder cannot handle those).
    static func isRecursive(_ schema: AvroSchema) -> Bool {
        func walk(_ s: AvroSchema, _ open: Set<AvroName>) -> Bool {
            switch s {
            case .reference(let name): return open.contains(name)
            case .array(let x), .map(let x), .logical(_, let x): return walk(x, open)
            case .union(let branches): return branches.contains { walk($0, open) }
            case .record(let r): return r.fields.contains { walk($0.type, open.union([r.name])) }
            default: return false
            }
        }
        return walk(schema, [])
    }

    @Test func schemaResolutionAgreesWithFastavro() async throws {
        let directory = Self.fixtures.appendingPathComponent("resolution")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".writer.avsc") }.map { String($0.dropLast(".writer.avsc".count)) }.sorted()
        try #require(!names.isEmpty)
        var pairs: [JSONValue] = []
        var schemas: [String: (writer: AvroSchema, reader: AvroSchema)] = [:]
        for name in names {
            let writer = try String(contentsOf: directory.appendingPathComponent("\(name).writer.avsc"), encoding: .utf8)
            let reader = try String(contentsOf: directory.appendingPathComponent("\(name).reader.avsc"), encoding: .utf8)
            pairs.append(.object([("name", .string(name)), ("writer", .string(writer)), ("reader", .string(reader))]))
            schemas[name] = (try AvroSchema(parsing: writer), try AvroSchema(parsing: reader))
        }
        let response = try await Self.python("resolve", .object([("pairs", .array(pairs)), ("count", .integer(40)), ("seed", .integer(7))]))
        for name in names {
            let (writer, reader) = try #require(schemas[name])
            let resolver = try AvroResolvingDecoder(writer: writer, reader: reader)
            let coder = AvroJSONCoder(schema: reader)
            guard case .array(let data)? = response[name] else { Issue.record("no data for \(name)"); continue }
            #expect(data.count == 40)
            for (i, datum) in data.enumerated() {
                guard case .string(let hex)? = datum["hex"], case .string(let pythonJSON)? = datum["json"] else {
                    Issue.record("malformed datum"); continue
                }
                let value = try resolver.decode(try Self.bytes(hex: hex))
                let ours = Self.plain(value)
                // The transcoding path (what generated types use) agrees as well.
                let transcoded = try AvroBinaryDecoder(schema: reader).decode(try resolver.transcode(try Self.bytes(hex: hex)))
                #expect(Self.sameJSON(Self.plain(transcoded), try JSONValue(parsing: pythonJSON)), "\(name) datum \(i) transcoded")
                #expect(try coder.decode(try coder.encode(value)) == value, "\(name) datum \(i)")
                #expect(Self.sameJSON(ours, try JSONValue(parsing: pythonJSON)), "\(name) datum \(i): Swift \(ours.serialized) vs fastavro \(pythonJSON)")
            }
        }
    }
}
