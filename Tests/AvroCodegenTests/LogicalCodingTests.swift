import Avro
import Foundation
import Testing

/// The logical-type helpers generated code uses: UUID text both ways, timestamps, decimals.
@Suite struct LogicalCodingTests {
    func decodeUUID(_ text: String) throws(AvroDecodingError) -> UUID {
        var writer = AvroWriter()
        writer.writeString(text)
        var reader = AvroReader(writer.bytes)
        return try reader.readUUID()
    }

    @Test func uuidTextRoundTripsAndMatchesFoundation() throws {
        var samples = AvroSampleValues(seed: 42)
        for _ in 0..<2_000 {
            guard case .uuid(let uuid) = samples.value(for: .logical(.uuid, .string)) else { Issue.record("no uuid"); return }
            var writer = AvroWriter()
            writer.writeUUID(uuid)
            #expect(writer.bytes == [72] + Array(uuid.uuidString.lowercased().utf8))
            #expect(try decodeUUID(uuid.uuidString) == uuid)             // upper case
            #expect(try decodeUUID(uuid.uuidString.lowercased()) == uuid)
        }
    }

    @Test func everyNonHexCharacterInEveryPositionIsRejected() throws {
        let good = Array("0f8fad5b-d9cb-469f-a165-70867728950e".utf8)
        #expect(try decodeUUID(String(decoding: good, as: UTF8.self)).uuidString == "0F8FAD5B-D9CB-469F-A165-70867728950E")
        let hex = Set("0123456789abcdefABCDEF".utf8)
        for position in good.indices where good[position] != UInt8(ascii: "-") {
            for byte in UInt8(0)...UInt8(127) where !hex.contains(byte) {
                var text = good
                text[position] = byte
                #expect(throws: AvroDecodingError.self) { try decodeUUID(String(decoding: text, as: UTF8.self)) }
            }
        }
        #expect(throws: AvroDecodingError.self) { try decodeUUID("0f8fad5b+d9cb-469f-a165-70867728950e") }
        #expect(throws: AvroDecodingError.self) { try decodeUUID("0f8fad5bd9cb469fa16570867728950e") }
        #expect(throws: AvroDecodingError.self) { try decodeUUID("0f8fad5b-d9cb-469f-a165-70867728950é") }
    }

    @Test func timestampsRoundTripTheirUnit() throws {
        for millis: Int64 in [0, 1, -1, 1_763_700_000_123, -62_135_596_800_000, 253_402_300_799_999] {
            var writer = AvroWriter()
            writer.writeTimestampMillis(Date(timeIntervalSince1970: Double(millis) / 1000))
            var reader = AvroReader(writer.bytes)
            #expect(try reader.readLong() == millis)
        }
        for micros: Int64 in [0, 1, -1, 1_763_700_000_123_456] {
            var writer = AvroWriter()
            writer.writeLong(micros)
            var reader = AvroReader(writer.bytes)
            let date = try reader.readTimestampMicros()
            var again = AvroWriter()
            again.writeTimestampMicros(date)
            #expect(again.bytes == writer.bytes)
        }
    }

    @Test func decimalsAreWrittenWithTheSchemaScaleOrRejected() throws {
        // Exact rescales are written; a value that would need rounding is an error, never rounded.
        let cases: [(String, Int, String?)] = [("12.5", 3, "12.500"), ("12.340", 2, "12.34"), ("12.345", 2, nil),
                                               ("-0.5", 0, nil), ("-1.0", 0, "-1"), ("99.995", 2, nil)]
        for (input, scale, expected) in cases {
            let value = try #require(AvroDecimal(input))
            var writer = AvroWriter()
            do throws(AvroEncodingError) {
                try writer.writeDecimal(value, precision: 10, scale: scale)
            } catch {
                #expect(expected == nil, "\(input) at scale \(scale): \(error)")
                #expect(error.message.contains("rounding"), "\(error)")
                continue
            }
            var reader = AvroReader(writer.bytes)
            #expect(try reader.readDecimal(precision: 10, scale: scale).description == expected, "\(input) at scale \(scale)")
        }
    }
}
