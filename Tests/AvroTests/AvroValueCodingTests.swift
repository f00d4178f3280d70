import TestingSupport
import Foundation
import Testing
@testable import Avro

@Suite struct AvroValueCodingTests {
    static let eventSchema = """
        {"type": "record", "name": "Event", "namespace": "t", "fields": [
          {"name": "b", "type": "boolean"},
          {"name": "i", "type": "int"},
          {"name": "l", "type": "long"},
          {"name": "f", "type": "float"},
          {"name": "d", "type": "double"},
          {"name": "by", "type": "bytes"},
          {"name": "s", "type": "string"},
          {"name": "e", "type": {"type": "enum", "name": "Suit", "symbols": ["HEARTS", "SPADES"]}},
          {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
          {"name": "arr", "type": {"type": "array", "items": {"type": "map", "values": ["null", "long", "Suit"]}}},
          {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 20, "scale": 3}},
          {"name": "decf", "type": {"type": "fixed", "name": "Dec8", "size": 8, "logicalType": "decimal", "precision": 15, "scale": 2}},
          {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
          {"name": "day", "type": {"type": "int", "logicalType": "date"}},
          {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
          {"name": "tu", "type": {"type": "long", "logicalType": "time-micros"}},
          {"name": "tsm", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "tsu", "type": {"type": "long", "logicalType": "timestamp-micros"}},
          {"name": "ltm", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
          {"name": "ltu", "type": {"type": "long", "logicalType": "local-timestamp-micros"}}
        ]}
        """

    static var eventValue: AvroValue {
        .record([
            "b": .boolean(true), "i": .int(-7), "l": .long(Int64.max), "f": .float(1.25), "d": .double(-0.5),
            "by": .bytes([0, 255, 10]), "s": .string("héllo ✓"), "e": .enumeration("SPADES"), "fx": .fixed([1, 2, 3, 4]),
            "arr": .array([.map(["a": .union(0, .null), "b": .union(1, .long(-9_007_199_254_740_993)), "c": .union(2, .enumeration("HEARTS"))]), .map([:])]),
            "dec": .decimal(AvroDecimal("-12345678901234567.891")!), "decf": .decimal(AvroDecimal("-0.05")!),
            "id": .uuid(UUID(uuidString: "123E4567-E89B-12D3-A456-426614174000")!), "day": .date(19_000), "tm": .timeMillis(1_000),
            "tu": .timeMicros(86_399_999_999), "tsm": .timestampMillis(1_700_000_000_123), "tsu": .timestampMicros(-1),
            "ltm": .localTimestampMillis(5), "ltu": .localTimestampMicros(6),
        ])
    }

    @Test func binaryRoundTripOfEveryType() throws {
        let schema = try AvroSchema(parsing: Self.eventSchema)
        let bytes = try AvroBinaryEncoder(schema: schema).encode(Self.eventValue)
        #expect(try AvroBinaryDecoder(schema: schema).decode(bytes) == Self.eventValue)
    }

    @Test func jsonRoundTripOfEveryType() throws {
        let schema = try AvroSchema(parsing: Self.eventSchema)
        let coder = AvroJSONCoder(schema: schema)
        let text = try coder.encode(Self.eventValue)
        #expect(text.contains(#""arr":[{"a":null,"b":{"long":-9007199254740993},"c":{"t.Suit":"HEARTS"}},{}]"#))
        #expect(text.contains(#""by":"\u0000ÿ\n""#))
        #expect(try coder.decode(text) == Self.eventValue)
    }

    @Test func jsonDecodingFillsDefaultsAndRejectsUnknownFields() throws {
        let schema = try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"], "default": null}]}"#)
        let coder = AvroJSONCoder(schema: schema)
        #expect(try coder.decode(#"{"a": 1}"#) == .record(["a": .int(1), "b": .union(0, .null)]))
        #expect(try coder.decode(#"{"a": 1, "b": {"string": "x"}}"#) == .record(["a": .int(1), "b": .union(1, .string("x"))]))
        #expect(throws: AvroError.self) { try coder.decode(#"{"a": 1, "zzz": 2}"#) }
        #expect(throws: AvroError.self) { try coder.decode(#"{"b": null}"#) }
        #expect(throws: AvroError.self) { try coder.decode(#"{"a": 1, "b": {"int": 3}}"#) }
    }

    @Test func nonFiniteDoublesInJSON() throws {
        let coder = AvroJSONCoder(schema: .array(.double))
        let text = try coder.encode(.array([.double(.nan), .double(.infinity), .double(-.infinity), .double(1e300)]))
        #expect(text == #"["NaN","Infinity","-Infinity",1e+300]"#)
        guard case .array(let back) = try coder.decode(text), case .double(let nan) = back[0] else { Issue.record("shape"); return }
        #expect(nan.isNaN)
        #expect(back[1...] == [.double(.infinity), .double(-.infinity), .double(1e300)])
    }

    @Test func encoderLeniencies() throws {
        let schema = try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "l", "type": "long"}, {"name": "u", "type": ["null", "string", "double"]}, {"name": "day", "type": {"type": "int", "logicalType": "date"}}, {"name": "z", "type": "int", "default": 4}]}"#)
        let encoder = AvroBinaryEncoder(schema: schema)
        let bytes = try encoder.encode(.record(["l": .int(3), "u": .string("x"), "day": .int(2)]))
        #expect(try AvroBinaryDecoder(schema: schema).decode(bytes) == .record(["l": .long(3), "u": .union(1, .string("x")), "day": .date(2), "z": .int(4)]))
        #expect(throws: AvroEncodingError.self) { try encoder.encode(.record(["l": .string("no"), "u": .null, "day": .int(1)])) }
        #expect(throws: AvroEncodingError.self) { try encoder.encode(.record(["l": .long(1), "u": .boolean(true), "day": .int(1)])) }
        #expect {
            try encoder.encode(.record(["l": .long(1), "u": .null, "day": .int(1), "bogus": .int(1)]))
        } throws: { error in
            (error as? AvroEncodingError)?.message == "record R has no field \"bogus\""
        }
    }

    @Test func encodingErrorsNameTheFieldPath() throws {
        let schema = try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "items", "type": {"type": "array", "items": {"type": "record", "name": "I", "fields": [{"name": "qty", "type": "int"}]}}}]}"#)
        #expect {
            try AvroBinaryEncoder(schema: schema).encode(.record(["items": .array([.record(["qty": .int(1)]), .record(["qty": .string("2")])])]))
        } throws: { error in
            (error as? AvroEncodingError)?.path == ["items", "[1]", "qty"]
        }
    }

    @Test(arguments: ["0", "1", "-1", "127", "128", "-128", "-129", "0.01", "-0.05", "123456789012345678901234567890.123", "-99999999999999999999.99"])
    func decimalTextRoundTrips(text: String) throws {
        let decimal = try #require(AvroDecimal(text))
        #expect(decimal.description == text)
    }

    @Test func decimalBytesAreMinimalTwosComplement() throws {
        #expect(AvroDecimal(unscaled: 128, scale: 0).unscaledBytes == [0x00, 0x80])
        #expect(AvroDecimal(unscaled: -128, scale: 0).unscaledBytes == [0x80])
        #expect(AvroDecimal(unscaled: -129, scale: 0).unscaledBytes == [0xFF, 0x7F])
        #expect(AvroDecimal(unscaled: -1, scale: 2).unscaledBytes(paddedTo: 4) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(AvroDecimal(unscaledBytes: [0xFF, 0xFF, 0x85], scale: 1).unscaledInt64 == -123)
        #expect(AvroDecimal("1.2.3") == nil)
        #expect(AvroDecimal("12a") == nil)
    }

    @Test func decimalsAreRescaledUpAndPrecisionChecked() throws {
        let schema = try AvroSchema(parsing: #"{"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}"#)
        let encoder = AvroBinaryEncoder(schema: schema)
        let bytes = try encoder.encode(.decimal(AvroDecimal("12.5")!))
        #expect(try AvroBinaryDecoder(schema: schema).decode(bytes) == .decimal(AvroDecimal("12.50")!))
        #expect(throws: AvroEncodingError.self) { try encoder.encode(.decimal(AvroDecimal("1.234")!)) }
        #expect(throws: AvroEncodingError.self) { try encoder.encode(.decimal(AvroDecimal("1234.5")!)) }
    }

    @Test func writerHelpersMatchTheGenericEncoder() throws {
        var writer = AvroWriter()
        writer.writeArray([1, 2, 3] as [Int64]) { $0.writeLong($1) }
        writer.writeMap(["b": "y", "a": "x"]) { $0.writeString($1) }
        writer.writeOptional(nil as String?) { $0.writeString($1) }
        writer.writeOptional("z") { $0.writeString($1) }
        var expected = try AvroBinaryEncoder(schema: .array(.long)).encode(.array([.long(1), .long(2), .long(3)]))
        expected += try AvroBinaryEncoder(schema: .map(.string)).encode(.map(["a": .string("x"), "b": .string("y")]))
        expected += try AvroBinaryEncoder(schema: .union([.null, .string])).encode(.null)
        expected += try AvroBinaryEncoder(schema: .union([.null, .string])).encode(.string("z"))
        #expect(writer.bytes == expected)
        var reader = AvroReader(writer.bytes)
        #expect(try reader.readArray { (r: inout AvroReader) throws(AvroDecodingError) in try r.readLong() } == [1, 2, 3])
        #expect(try reader.readMap { (r: inout AvroReader) throws(AvroDecodingError) in try r.readString() } == ["a": "x", "b": "y"])
        #expect(try reader.readOptional { (r: inout AvroReader) throws(AvroDecodingError) in try r.readString() } == nil)
        #expect(try reader.readOptional { (r: inout AvroReader) throws(AvroDecodingError) in try r.readString() } == "z")
        #expect(reader.isAtEnd)
    }

    @Test func jsonTextRoundTripsExactlyAndPretty() throws {
        let text = #"{"b":[1,-9223372036854775808,2.5,"x\n\u0001",true,null,{}],"a":{"z":[]}}"#
        let json = try JSONValue(parsing: text)
        #expect(json.serialized == text)
        #expect(json.prettySerialized == """
            {
              "b": [
                1,
                -9223372036854775808,
                2.5,
                "x\\n\\u0001",
                true,
                null,
                {}
              ],
              "a": {
                "z": []
              }
            }
            """)
        #expect(try JSONValue(parsing: json.prettySerialized) == json)
        for bad in ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", "\"\\x\"", "\"\\ud800\"", "nul", "[1] 2", "\"a\u{1}\""] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue(parsing: bad) }
        }
    }

    @Test func uuidTextAgreesWithFoundation() throws {
        var rng = SplitMix64(seed: 0x11D)
        for _ in 0..<500 {
            let uuid = UUID(uuid: (UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
                                   UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
                                   UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
                                   UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng)))
            let text = AvroUUIDText.format(uuid)
            #expect(text == uuid.uuidString.lowercased())
            #expect(AvroUUIDText.parse(text) == uuid)
            #expect(AvroUUIDText.parse(uuid.uuidString) == uuid)
        }
        for bad in ["", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
                    "123e4567-e89b-12d3-a456_426614174000", "123e4567-e89b-12d3-a456-42661417400g", "123e4567-e89b-12d3-a4564-26614174000"] {
            #expect(AvroUUIDText.parse(bad) == nil, "\(bad)")
            #expect(UUID(uuidString: bad) == nil, "Foundation agrees: \(bad)")
        }
    }
}

