import TestingSupport
import Testing
@testable import Avro

@Suite struct AvroHostileInputTests {
    func kind(_ schema: AvroSchema, _ bytes: [UInt8]) -> AvroDecodingError.Kind? {
        do {
            _ = try AvroBinaryDecoder(schema: schema).decode(bytes)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test func everyTruncationOfAValidEncodingIsATypedError() throws {
        let schema = try AvroSchema(parsing: AvroValueCodingTests.eventSchema)
        let bytes = try AvroBinaryEncoder(schema: schema).encode(AvroValueCodingTests.eventValue)
        for length in 0..<bytes.count {
            #expect(throws: AvroDecodingError.self) { try AvroBinaryDecoder(schema: schema).decode(Array(bytes[..<length])) }
        }
    }

    @Test func overlongVarints() {
        #expect(kind(.long, [UInt8](repeating: 0xFF, count: 11)) == .malformedVarint)
        #expect(kind(.long, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) == .malformedVarint)
        #expect(kind(.int, [0xFF, 0xFF, 0xFF, 0xFF, 0x1F]) == .malformedVarint)
        #expect(kind(.int, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) == .malformedVarint)
        #expect(kind(.long, [0x80, 0x80]) == .truncated(needed: 1))
    }

    @Test func negativeAndAbsurdLengths() {
        #expect(kind(.string, [0x01]) == .negativeLength(-1))
        #expect(kind(.bytes, [0x03, 0xAA]) == .negativeLength(-2))
        // 2^62 as a zig-zag varint.
        let huge: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        #expect(kind(.string, huge) == .lengthExceedsInput(claimed: 1 << 62, remaining: 0))
        #expect(kind(.array(.null), huge) == .lengthExceedsInput(claimed: 1 << 62, remaining: 0))
        #expect(kind(.map(.null), huge) == .lengthExceedsInput(claimed: 1 << 62, remaining: 0))
        // Negative block count whose byte size is absurd.
        #expect(kind(.array(.long), [0x01] + huge) == .lengthExceedsInput(claimed: 1 << 62, remaining: 0))
        // Int64.min as a block count cannot be negated.
        #expect(kind(.array(.long), [UInt8](repeating: 0xFF, count: 9) + [0x01]) == .malformedVarint)
    }

    @Test func manyZeroSizeItemsAcrossBlocksAreBounded() {
        // 1000 blocks of 60 000 nulls each: 60 million items from 4 KB of input.
        var bytes: [UInt8] = []
        var writer = AvroWriter()
        writer.writeLong(60_000)
        for _ in 0..<1000 { bytes += writer.bytes }
        bytes.append(0)
        guard case .lengthExceedsInput? = kind(.array(.null), bytes) else {
            Issue.record("expected the item budget to stop the decoder")
            return
        }
    }

    @Test func unknownUnionBranchEnumOrdinalBooleanAndUTF8() throws {
        #expect(kind(.union([.null, .int]), [0x04]) == .unionIndexOutOfRange(index: 2, branchCount: 2))
        #expect(kind(.union([.null, .int]), [0x01]) == .unionIndexOutOfRange(index: -1, branchCount: 2))
        let e = try AvroSchema(parsing: #"{"type": "enum", "name": "E", "symbols": ["A", "B"]}"#)
        #expect(kind(e, [0x04]) == .enumOrdinalOutOfRange(ordinal: 2, symbolCount: 2))
        #expect(kind(.boolean, [0x02]) == .invalidBoolean(2))
        #expect(kind(.string, [0x04, 0xC3, 0x28]) == .invalidUTF8)
        #expect(kind(.fixed(AvroFixedSchema(name: AvroName(fullName: "F"), size: 4)), [1, 2]) == .truncated(needed: 2))
    }

    @Test func deepRecursionIsStoppedNotOverflowingTheStack() throws {
        let schema = try AvroSchema(parsing: #"{"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}"#)
        // 200 000 levels of "next present" claims, then the end.
        let bytes = [UInt8](repeating: 0x02, count: 200_000) + [0x00]
        #expect(kind(schema, bytes) == .nestingTooDeep(limit: AvroDecodingLimits.default.maximumDepth))
        let resolver = try AvroResolvingDecoder(writer: schema, reader: schema)
        #expect(throws: AvroDecodingError.self) { try resolver.decode(bytes) }
        // Within the limit, decoding works.
        let shallow = [UInt8](repeating: 0x02, count: 50) + [0x00]
        #expect(kind(schema, shallow) == nil)
    }

    @Test func errorsCarryOffsetAndPath() throws {
        let schema = try AvroSchema(parsing: #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "items", "type": {"type": "array", "items": "string"}}]}"#)
        // a = 1, items: block of 2, "x", then a string with a bad length.
        let bytes: [UInt8] = [0x02, 0x04, 0x02, 0x78, 0x01]
        #expect {
            try AvroBinaryDecoder(schema: schema).decode(bytes)
        } throws: { error in
            guard let error = error as? AvroDecodingError else { return false }
            return error.kind == .negativeLength(-1) && error.offset == 4 && error.path == ["items", "[1]"]
                && error.description == "Avro decoding failed at byte 4 in items[1]: negative length -1"
        }
    }

    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        func ours(_ bytes: [UInt8]) -> String? {
            bytes.withUnsafeBufferPointer { AvroReader.string(validatingUTF8: $0) }
        }
        let cases: [[UInt8]] = [
            [], Array("plain ascii text, longer than eight bytes".utf8), Array("héllo ✓ 😀".utf8),
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0xF0, 0x9F, 0x98], [0x80], [0xFF], [0xF1, 0x80, 0x80, 0x41], [0xEF, 0xBF, 0xBD],
        ]
        for bytes in cases {
            #expect(ours(bytes) == String(validating: bytes, as: UTF8.self), "\(bytes)")
        }
        var rng = SplitMix64(seed: 0x0F8)
        let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x8F, 0x90]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0 }
            #expect(ours(bytes) == String(validating: bytes, as: UTF8.self), "\(bytes)")
        }
    }

    @Test func hugeDecimalsAreRejectedWithoutCountingTheirDigits() throws {
        let schema = try AvroSchema(parsing: #"{"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}"#)
        var writer = AvroWriter()
        writer.writeBytes([UInt8](repeating: 0x7F, count: 1_000_000))
        guard case .unresolvable(let message)? = kind(schema, writer.bytes) else {
            Issue.record("expected a decimal beyond its precision to be rejected")
            return
        }
        #expect(message.contains("decimal"))
        // Eleven digits do not fit precision 10 either; ten do.
        var eleven = AvroWriter()
        eleven.writeBytes(AvroDecimal("123456789.01")!.unscaledBytes)
        #expect(kind(schema, eleven.bytes) != nil)
        var ten = AvroWriter()
        ten.writeBytes(AvroDecimal("12345678.01")!.unscaledBytes)
        #expect(kind(schema, ten.bytes) == nil)
    }

    @Test func extremeLimitsDoNotOverflow() throws {
        let limits = AvroDecodingLimits(maximumDepth: Int.max, extraZeroSizeItems: Int.max)
        let decoder = AvroBinaryDecoder(schema: .array(.long), limits: limits)
        #expect(try decoder.decode([0x04, 0x02, 0x04, 0x00]) == .array([.long(1), .long(2)]))
        // A claimed count beyond the input is still stopped when its items need bytes.
        #expect(throws: AvroDecodingError.self) { try decoder.decode([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]) }
    }
}

