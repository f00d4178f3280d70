import Testing
@testable import Avro

@Suite struct AvroResolutionTests {
    func resolve(_ value: AvroValue, writer writerJSON: String, reader readerJSON: String) throws -> AvroValue {
        let writer = try AvroSchema(parsing: writerJSON)
        let reader = try AvroSchema(parsing: readerJSON)
        let bytes = try AvroBinaryEncoder(schema: writer).encode(value)
        let resolver = try AvroResolvingDecoder(writer: writer, reader: reader)
        let resolved = try resolver.decode(bytes)
        // Transcoding to the reader's encoding gives the same value.
        #expect(try AvroBinaryDecoder(schema: reader).decode(try resolver.transcode(bytes)) == resolved)
        return resolved
    }

    @Test func promotions() throws {
        #expect(try resolve(.int(7), writer: "\"int\"", reader: "\"long\"") == .long(7))
        #expect(try resolve(.int(7), writer: "\"int\"", reader: "\"float\"") == .float(7))
        #expect(try resolve(.int(7), writer: "\"int\"", reader: "\"double\"") == .double(7))
        #expect(try resolve(.long(1 << 40), writer: "\"long\"", reader: "\"float\"") == .float(Float(1 << 40)))
        #expect(try resolve(.long(1 << 40), writer: "\"long\"", reader: "\"double\"") == .double(Double(1 << 40)))
        #expect(try resolve(.float(0.5), writer: "\"float\"", reader: "\"double\"") == .double(0.5))
        #expect(try resolve(.string("hi"), writer: "\"string\"", reader: "\"bytes\"") == .bytes([0x68, 0x69]))
        #expect(try resolve(.bytes([0x68, 0x69]), writer: "\"bytes\"", reader: "\"string\"") == .string("hi"))
    }

    @Test func noDemotions() throws {
        for (w, r) in [("long", "int"), ("double", "float"), ("float", "long"), ("string", "int"), ("boolean", "int")] {
            #expect(throws: AvroResolutionError.self) {
                try AvroResolvingDecoder(writer: try AvroSchema(parsing: "\"\(w)\""), reader: try AvroSchema(parsing: "\"\(r)\""))
            }
        }
    }

    @Test func recordEvolution() throws {
        let writer = """
            {"type": "record", "name": "FramedPayment", "namespace": "v1", "fields": [
              {"name": "id", "type": "string"},
              {"name": "legacy", "type": {"type": "array", "items": {"type": "map", "values": "string"}}},
              {"name": "amount", "type": "int"},
              {"name": "currency", "type": "string"}
            ]}
            """
        let reader = """
            {"type": "record", "name": "FramedPayment", "namespace": "v2", "fields": [
              {"name": "ccy", "type": "string", "aliases": ["currency"]},
              {"name": "amount", "type": "long"},
              {"name": "id", "type": "string"},
              {"name": "note", "type": ["null", "string"], "default": null},
              {"name": "retries", "type": "int", "default": 3}
            ]}
            """
        let value = AvroValue.record(["id": .string("p1"), "legacy": .array([.map(["k": .string("v")])]), "amount": .int(250), "currency": .string("INR")])
        #expect(try resolve(value, writer: writer, reader: reader)
                == .record(["ccy": .string("INR"), "amount": .long(250), "id": .string("p1"), "note": .union(0, .null), "retries": .int(3)]))
    }

    @Test func missingFieldWithoutDefaultIsIncompatible() throws {
        #expect {
            try AvroResolvingDecoder(
                writer: try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#),
                reader: try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]}"#))
        } throws: { error in
            (error as? AvroResolutionError)?.description == "incompatible schemas: field \"b\" of record R was not written and has no default"
        }
    }

    @Test func incompatibleFieldTypeNamesItsPath() throws {
        #expect {
            try AvroResolvingDecoder(
                writer: try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "inner", "type": {"type": "record", "name": "I", "fields": [{"name": "x", "type": "string"}]}}]}"#),
                reader: try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "inner", "type": {"type": "record", "name": "I", "fields": [{"name": "x", "type": "int"}]}}]}"#))
        } throws: { error in
            (error as? AvroResolutionError)?.path == ["inner", "x"]
        }
    }

    @Test func enumDefaultsAndUnknownSymbols() throws {
        let writer = #"{"type": "enum", "name": "S", "symbols": ["A", "B", "C"]}"#
        let withDefault = #"{"type": "enum", "name": "S", "symbols": ["UNKNOWN", "A"], "default": "UNKNOWN"}"#
        let withoutDefault = #"{"type": "enum", "name": "S", "symbols": ["A", "B"]}"#
        #expect(try resolve(.enumeration("C"), writer: writer, reader: withDefault) == .enumeration("UNKNOWN"))
        #expect(try resolve(.enumeration("A"), writer: writer, reader: withDefault) == .enumeration("A"))
        #expect(try resolve(.enumeration("B"), writer: writer, reader: withoutDefault) == .enumeration("B"))
        #expect {
            try resolve(.enumeration("C"), writer: writer, reader: withoutDefault)
        } throws: { error in
            guard let error = error as? AvroDecodingError, case .unresolvable(let message) = error.kind else { return false }
            return message.contains("\"C\"")
        }
    }

    @Test func unionsOnEitherSide() throws {
        // Writer union → reader non-union.
        #expect(try resolve(.union(1, .int(5)), writer: #"["null", "int"]"#, reader: "\"long\"") == .long(5))
        #expect(throws: AvroDecodingError.self) { try resolve(.union(0, .null), writer: #"["null", "int"]"#, reader: "\"long\"") }
        // Writer non-union → reader union: exact match preferred over promotion.
        #expect(try resolve(.int(5), writer: "\"int\"", reader: #"["null", "long", "int"]"#) == .union(2, .int(5)))
        #expect(try resolve(.int(5), writer: "\"int\"", reader: #"["null", "double", "long"]"#) == .union(1, .double(5)))
        // Union → union with reordered branches.
        #expect(try resolve(.union(1, .string("x")), writer: #"["null", "string"]"#, reader: #"["string", "null"]"#) == .union(0, .string("x")))
        // No branch at all matches: incompatible up front.
        #expect(throws: AvroResolutionError.self) {
            try AvroResolvingDecoder(writer: try AvroSchema(parsing: "\"boolean\""), reader: try AvroSchema(parsing: #"["null", "int"]"#))
        }
    }

    @Test func namedTypeAliases() throws {
        let writer = #"{"type": "record", "name": "old.Money", "fields": [{"name": "minor", "type": "long"}]}"#
        let reader = #"{"type": "record", "name": "Amount", "namespace": "new", "aliases": ["old.Money"], "fields": [{"name": "units", "type": "long", "aliases": ["minor"]}]}"#
        #expect(try resolve(.record(["minor": .long(9)]), writer: writer, reader: reader) == .record(["units": .long(9)]))
        let stranger = #"{"type": "record", "name": "Other", "fields": [{"name": "minor", "type": "long"}]}"#
        #expect(throws: AvroResolutionError.self) {
            try AvroResolvingDecoder(writer: try AvroSchema(parsing: writer), reader: try AvroSchema(parsing: stranger))
        }
    }

    @Test func recursiveRecordsResolve() throws {
        let writer = #"{"type": "record", "name": "Node", "fields": [{"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"]}]}"#
        let reader = #"{"type": "record", "name": "Node", "fields": [{"name": "v", "type": "long"}, {"name": "next", "type": ["null", "Node"]}, {"name": "tag", "type": "string", "default": "-"}]}"#
        let value = AvroValue.record(["v": .int(1), "next": .union(1, .record(["v": .int(2), "next": .union(0, .null)]))])
        #expect(try resolve(value, writer: writer, reader: reader)
                == .record(["v": .long(1), "tag": .string("-"), "next": .union(1, .record(["v": .long(2), "tag": .string("-"), "next": .union(0, .null)]))]))
    }

    @Test func logicalTypesFollowTheReader() throws {
        #expect(try resolve(.int(3), writer: "\"int\"", reader: #"{"type": "int", "logicalType": "date"}"#) == .date(3))
        #expect(try resolve(.date(3), writer: #"{"type": "int", "logicalType": "date"}"#, reader: "\"long\"") == .long(3))
        #expect(throws: AvroResolutionError.self) {
            try AvroResolvingDecoder(
                writer: try AvroSchema(parsing: #"{"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}"#),
                reader: try AvroSchema(parsing: #"{"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 3}"#))
        }
    }

    @Test func fixedNeedsSameSize() throws {
        #expect(throws: AvroResolutionError.self) {
            try AvroResolvingDecoder(writer: try AvroSchema(parsing: #"{"type": "fixed", "name": "F", "size": 4}"#),
                                     reader: try AvroSchema(parsing: #"{"type": "fixed", "name": "F", "size": 8}"#))
        }
    }

    @Test func transcodingReordersSkipsAndFillsDefaults() throws {
        let writer = try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "gone", "type": {"type": "map", "values": "string"}}, {"name": "b", "type": "string"}]}"#)
        let reader = try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "b", "type": "bytes"}, {"name": "new", "type": "long", "default": 5}, {"name": "a", "type": "double"}]}"#)
        let bytes = try AvroBinaryEncoder(schema: writer).encode(.record(["a": .int(2), "gone": .map(["k": .string("v")]), "b": .string("x")]))
        let transcoded = try AvroResolvingDecoder(writer: writer, reader: reader).transcode(bytes)
        var expected = AvroWriter()
        expected.writeBytes(Array("x".utf8))
        expected.writeLong(5)
        expected.writeDouble(2)
        #expect(transcoded == expected.bytes)
    }

    @Test func unionBranchesWithTheSameShortNameResolveByFullName() throws {
        let x = #"{"type": "record", "name": "a.X", "fields": [{"name": "v", "type": "int"}]}"#
        let y = #"{"type": "record", "name": "b.X", "fields": [{"name": "w", "type": "string"}]}"#
        let union = "[\(x), \(y)]"
        #expect(try resolve(.union(1, .record(["w": .string("s")])), writer: union, reader: union) == .union(1, .record(["w": .string("s")])))
        #expect(try resolve(.record(["w": .string("s")]), writer: y, reader: union) == .union(1, .record(["w": .string("s")])))
    }
}

