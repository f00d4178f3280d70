import Foundation
import Testing
@testable import Avro

/// Encodings and fingerprints whose expected values were produced by fastavro 1.13
/// (an independent implementation), not taken from memory.
@Suite struct AvroSpecVectorTests {
    static let zigZagVectors: [(Int64, [UInt8])] = [
        (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (2, [0x04]),
        (-64, [0x7F]), (64, [0x80, 0x01]), (8192, [0x80, 0x80, 0x01]),
        (2_147_483_647, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (-2_147_483_648, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]

    @Test(arguments: zigZagVectors)
    func zigZagLongs(value: Int64, encoded: [UInt8]) throws {
        var writer = AvroWriter()
        writer.writeLong(value)
        #expect(writer.bytes == encoded)
        var reader = AvroReader(encoded)
        #expect(try reader.readLong() == value)
        #expect(reader.isAtEnd)
        if let int = Int32(exactly: value) {
            var intWriter = AvroWriter()
            intWriter.writeInt(int)
            #expect(intWriter.bytes == encoded)
            var intReader = AvroReader(encoded)
            #expect(try intReader.readInt() == int)
        }
    }

    @Test func extremeLongs() throws {
        for value in [Int64.max, Int64.min, Int64.max - 1, Int64.min + 1] {
            var writer = AvroWriter()
            writer.writeLong(value)
            #expect(writer.bytes.count == 10)
            var reader = AvroReader(writer.bytes)
            #expect(try reader.readLong() == value)
        }
        for value in [Int32.max, Int32.min] {
            var writer = AvroWriter()
            writer.writeInt(value)
            var reader = AvroReader(writer.bytes)
            #expect(try reader.readInt() == value)
        }
    }

    @Test func floatsAreLittleEndianIEEE() throws {
        var writer = AvroWriter()
        writer.writeFloat(1.5)        // 0x3FC00000
        writer.writeDouble(-2.25)     // 0xC002000000000000
        #expect(writer.bytes == [0x00, 0x00, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0, 0x02, 0xC0])
        var reader = AvroReader(writer.bytes)
        #expect(try reader.readFloat() == 1.5)
        #expect(try reader.readDouble() == -2.25)
    }

    @Test func stringsAndBytesAreLengthPrefixed() throws {
        var writer = AvroWriter()
        writer.writeString("foo")
        writer.writeBytes([0xFF, 0x00])
        #expect(writer.bytes == [0x06, 0x66, 0x6F, 0x6F, 0x04, 0xFF, 0x00])
        var reader = AvroReader(writer.bytes)
        #expect(try reader.readString() == "foo")
        #expect(try reader.readBytes() == [0xFF, 0x00])
    }

    /// fastavro: `fingerprint(to_parsing_canonical_form(s), "CRC-64-AVRO")` gives the
    /// little-endian bytes; these are the same fingerprints as numbers.
    static let fingerprintVectors: [(String, UInt64)] = [
        ("\"int\"", 0x7275_D51A_3F39_5C8F),
        ("\"null\"", 0x63DD_24E7_CC25_8F8A),
        ("\"string\"", 0x8F01_4872_6345_03C7),
        ("\"long\"", 0xD054_E144_93F4_1DB7),
    ]

    static let fastavroHex: [String: String] = [
        "\"int\"": "8f5c393f1ad57572", "\"null\"": "8a8f25cce724dd63",
        "\"string\"": "c70345637248018f", "\"long\"": "b71df49344e154d0",
    ]

    @Test(arguments: fingerprintVectors)
    func primitiveFingerprints(json: String, fingerprint: UInt64) throws {
        let schema = try AvroSchema(parsing: json)
        #expect(schema.fingerprint == fingerprint)
        // fastavro prints the fingerprint as its little-endian bytes in hex.
        let hex = AvroFingerprint.littleEndianBytes(fingerprint).map { String(format: "%02x", $0) }.joined()
        #expect(hex == Self.fastavroHex[json])
    }

    @Test func canonicalFormStripsAndOrders() throws {
        let schema = try AvroSchema(parsing: """
            {"namespace": "a.b", "fields": [{"doc": "hi", "default": 3, "type": {"type": "int", "logicalType": "date"}, "name": "x"}],
             "type": "record", "name": "R"}
            """)
        #expect(schema.canonicalForm == #"{"name":"a.b.R","type":"record","fields":[{"name":"x","type":"int"}]}"#)
        #expect(schema.fingerprint == 0xF239_A75A_F1F2_6DC9)
    }

    @Test func blocksWithNegativeCountsAndSizes() throws {
        // array<long> [1, 2] written as one block of count -2 with byte size 2, then end.
        let bytes: [UInt8] = [0x03, 0x04, 0x02, 0x04, 0x00]
        let decoder = AvroBinaryDecoder(schema: .array(.long))
        #expect(try decoder.decode(bytes) == .array([.long(1), .long(2)]))
        // Skipping such a block (a removed field) jumps over it by its size.
        let writer = try AvroSchema(parsing: #"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"long"}},{"name":"b","type":"int"}]}"#)
        let reader = try AvroSchema(parsing: #"{"type":"record","name":"R","fields":[{"name":"b","type":"int"}]}"#)
        let resolved = try AvroResolvingDecoder(writer: writer, reader: reader).decode(bytes + [0x54])
        #expect(resolved == .record(["b": .int(42)]))
    }

    /// fastavro: `to_parsing_canonical_form` gives "record" for error types, and a full name
    /// for a nested named type inheriting its namespace, referenced by full name afterwards.
    @Test func canonicalFormOfErrorsAndInheritedNamespaces() throws {
        #expect(try AvroSchema(parsing: #"{"type": "error", "name": "E", "fields": []}"#).canonicalForm
                == #"{"name":"E","type":"record","fields":[]}"#)
        let schema = try AvroSchema(parsing: #"{"type": "record", "name": "a.R", "fields": [{"name": "f", "type": {"type": "fixed", "name": "F", "size": 3}}, {"name": "g", "type": "a.F"}]}"#)
        #expect(schema.canonicalForm == #"{"name":"a.R","type":"record","fields":[{"name":"f","type":{"name":"a.F","type":"fixed","size":3}},{"name":"g","type":"a.F"}]}"#)
    }
}

