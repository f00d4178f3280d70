import Avro
import AvroTestSupport
import Foundation
import Testing

/// The fixtures in `Schemas/` are turned into Swift by the build-tool plugin (this target
/// uses it too), so these tests run the generated code of every tricky case.
@Suite struct GeneratedFixtureTests {
    static let schemaDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Schemas")

    static func fixtureSet() throws -> AvroSchemaSet {
        let files = try FileManager.default.contentsOfDirectory(atPath: schemaDirectory.path)
            .filter { $0.hasSuffix(".avsc") }.map { schemaDirectory.appendingPathComponent($0) }
        return try AvroSchemaSet.parsing(files: files)
    }

    static func sample() throws -> Everything {
        let one = try #require(UUID(uuidString: "123e4567-e89b-12d3-a456-426614174000"))
        return Everything(
            flag: true, ratio: 1.5, blob: [0, 255, 7], nothing: nil, default: "keyword",
            hash: try Hash([1, 2, 3, 4]),
            price: try #require(AvroDecimal("-1234.50")),
            fixedPrice: try #require(AvroDecimal("12.345")),
            id: try #require(UUID(uuidString: "0F8FAD5B-D9CB-469F-A165-70867728950E")),
            at: Date(timeIntervalSince1970: 1_763_700_000.123),
            atMicros: Date(timeIntervalSince1970: 1_763_700_000.123456),
            day: 20_000, timeOfDay: 3_600_000, timeMicros: 3_600_000_001, localAt: 1_763_700_000_123,
            matrix: [["a": [1, 2]], [:]],
            inner: Inner(n: 3, hash: try Hash([9, 9, 9, 9])),
            maybeInner: Inner(n: -1),
            choice: .map(["x": Inner(n: 1)]),
            nullableChoice: .color(.blue),
            listOfChoices: [nil, .inner(Inner(n: 2)), .double(2.5), .array([.int(1), .string("two")])],
            ids: ["none": nil, "one": one]
        )
    }

    @Test func everyGeneratedFixtureRoundTripsWithTheGenericCoder() throws {
        #expect(AvroGeneratedTypes.all.count == 7)  // Color, Entry, Everything, Hash, Inner, Ledger, TreeNode
        for type in AvroGeneratedTypes.all {
            #expect(try GeneratedTypeRoundTrip.check(type, count: 200) == 200)
        }
    }

    @Test func handWrittenValueReadsBackGenericallyWithTheSameFields() throws {
        let value = try Self.sample()
        let bytes = try value.avroEncoded()
        let generic = try AvroBinaryDecoder(schema: Everything.avroSchema).decode(bytes)
        #expect(generic["default"] == .string("keyword"))
        #expect(generic["color"] == .enumeration("DARK_GREEN"))
        #expect(generic["id"] == .uuid(value.id))
        #expect(generic["at"] == .timestampMillis(1_763_700_000_123))
        #expect(generic["atMicros"] == .timestampMicros(1_763_700_000_123_456))
        #expect(generic["price"] == .decimal(AvroDecimal(unscaled: -123_450, scale: 2)))
        #expect(generic["fixedPrice"] == .decimal(AvroDecimal(unscaled: 12_345, scale: 3)))
        #expect(generic["maybeLast"] == .union(0, .long(42)))
        #expect(generic["nullableChoice"] == .union(2, .enumeration("blue")))
        #expect(generic["text"] == .string("a \"quoted\"\nline ✓"))
        let decoded = try Everything(avroEncoded: bytes)
        #expect(decoded == value)
    }

    @Test func uuidsAreWrittenAsLowerCaseText() throws {
        let value = try Self.sample()
        let bytes = try value.avroEncoded()
        let text = Array("0f8fad5b-d9cb-469f-a165-70867728950e".utf8)
        #expect(bytes.indices.contains { bytes[$0...].starts(with: [72] + text) })  // 72 = zig-zag 36
    }

    @Test func defaultsOfTheInitializerAreTheSchemaDefaults() throws {
        // Only the fields without a default are given.
        let value = Everything(
            flag: false, ratio: 0, blob: [], default: "", hash: try Hash([0, 0, 0, 0]),
            price: AvroDecimal(unscaled: 0, scale: 2), fixedPrice: AvroDecimal(unscaled: 0, scale: 3), id: UUID(),
            at: Date(), atMicros: Date(), day: 0, timeOfDay: 0, timeMicros: 0, localAt: 0, inner: Inner(n: 0)
        )
        let generic = try AvroBinaryDecoder(schema: Everything.avroSchema).decode(value.avroEncoded())
        guard case .record(let record) = Everything.avroSchema else { Issue.record("not a record"); return }
        var checked = 0
        for field in record.fields {
            guard let expected = field.defaultValue else { continue }
            let encodedDefault = try AvroBinaryEncoder(schema: field.type).encode(expected)
            let encodedActual = try AvroBinaryEncoder(schema: field.type).encode(try #require(generic[field.name]))
            #expect(encodedActual == encodedDefault, "field \(field.name)")
            checked += 1
        }
        #expect(checked == 14)
        #expect(value.choice == .int(5))
        #expect(value.nullableChoice == .string("hi"))
        #expect(value.tags == ["a": ["x", "y"]])
    }

    @Test func fingerprintsMatchTheAvroModuleOnTheFiles() throws {
        let set = try Self.fixtureSet()
        for type in AvroGeneratedTypes.all {
            let name = try #require(type.avroSchema.fullName)
            let parsed = try #require(set.namedTypes[name])
            #expect(type.avroFingerprint == parsed.fingerprint, "\(name)")
            #expect(type.avroFingerprint == type.avroSchema.fingerprint, "\(name)")
        }
    }

    @Test func truncatedInputNamesTheField() throws {
        let bytes = try Self.sample().avroEncoded()
        var sawFieldPath = false
        for cut in stride(from: 0, to: bytes.count, by: 3) {
            do {
                _ = try Everything(avroEncoded: Array(bytes[..<cut]))
                Issue.record("decoded a value from \(cut) of \(bytes.count) bytes")
            } catch {
                if !error.path.isEmpty { sawFieldPath = true }
            }
        }
        #expect(sawFieldPath)
    }

    @Test func wrongFixedSizeIsRejected() {
        #expect(throws: AvroEncodingError.self) { try Hash([1, 2, 3]) }
    }

    @Test func recursionDeeperThanTheLimitIsAnErrorNotACrash() throws {
        // TreeNode{label: "", children: [TreeNode{…}]} nested 1000 deep, then closed.
        var bytes: [UInt8] = []
        for _ in 0..<1000 { bytes += [0, 2] }
        bytes += [0, 0, 0]
        for _ in 0..<1000 { bytes += [0, 0] }
        #expect {
            _ = try TreeNode(avroEncoded: bytes)
        } throws: { error in
            guard let error = error as? AvroDecodingError, case .nestingTooDeep = error.kind else { return false }
            return true
        }
        let shallow = TreeNode(label: "root", children: [TreeNode(label: "leaf")], named: ["x": TreeNode(label: "y")])
        #expect(try TreeNode(avroEncoded: shallow.avroEncoded()) == shallow)
    }

    @Test func enumCasesAreCamelCasedWithTheSymbolAsRawValue() throws {
        #expect(Color.darkGreen.rawValue == "DARK_GREEN")
        #expect(Color.`default`.rawValue == "default")
        #expect(Color.allCases.map(\.avroOrdinal) == [0, 1, 2, 3, 4])
        #expect(throws: AvroDecodingError.self) { try Color(avroEncoded: [10]) }
    }

    @Test func dataFromAnOlderOrNewerWriterGoesThroughSchemaResolution() throws {
        // An older TreeNode without `named`, and a Color with a symbol this reader lacks.
        let oldTree = try AvroSchema(parsing: """
            {"type": "record", "name": "TreeNode", "namespace": "test.codegen", "fields": [
              {"name": "label", "type": "string"},
              {"name": "children", "type": {"type": "array", "items": "TreeNode"}}]}
            """)
        let written = try AvroBinaryEncoder(schema: oldTree).encode(.record([
            "label": .string("root"), "children": .array([.record(["label": .string("leaf"), "children": .array([])])]),
        ]))
        let tree = try TreeNode(avroEncoded: written, writerSchema: oldTree)
        #expect(tree == TreeNode(label: "root", children: [TreeNode(label: "leaf")]))
        #expect(throws: AvroDecodingError.self) { try TreeNode(avroEncoded: written) }

        let newColor = try AvroSchema(parsing: """
            {"type": "enum", "name": "Color", "namespace": "test.codegen", "symbols": ["UNKNOWN", "RED", "PURPLE"], "default": "UNKNOWN"}
            """)
        #expect(try Color(avroEncoded: [4], writerSchema: newColor) == .unknown)
        #expect(try Color(avroEncoded: [2], writerSchema: newColor) == .red)
    }

    @Test func singleObjectFramingUsesTheGeneratedFingerprint() throws {
        let value = TreeNode(label: "x")
        let message = try AvroSingleObject.encode(value)
        #expect(Array(message.prefix(10)) == AvroSingleObject.header(fingerprint: TreeNode.avroFingerprint))
        #expect(try AvroSingleObject.decode(TreeNode.self, from: message, store: AvroSchemaStore()) == value)
    }
}
