import Testing
@testable import Avro

/// Decimals at the limits of their schema: what fits is written exactly, what does not is
/// rejected with an error naming the field, the value and the limit. Nothing is clamped or
/// rounded, and the generic encoder and the `AvroWriter` helpers that generated code uses
/// accept and reject the same values.
@Suite struct AvroDecimalLimitTests {
    /// A payment whose amount is a decimal of `precision` and `scale` on a fixed of `size` bytes.
    static func payment(precision: Int, scale: Int, size: Int) -> AvroSchema {
        .record(AvroRecordSchema(name: AvroName(fullName: "test.FramedPayment"), fields: [
            AvroField(name: "id", type: .string),
            AvroField(name: "amount", type: .logical(.decimal(precision: precision, scale: scale),
                                                      .fixed(AvroFixedSchema(name: AvroName(fullName: "test.Amount"), size: size)))),
        ]))
    }

    static func decimal(_ text: String) throws -> AvroDecimal {
        try #require(AvroDecimal(text), "\(text) is not decimal text")
    }

    /// Encodes `amount` as the payment's amount, expecting an error; returns it.
    static func rejection(_ amount: String, in schema: AvroSchema) throws -> AvroEncodingError {
        let value = AvroValue.record(["id": .string("p-1"), "amount": .decimal(try decimal(amount))])
        do {
            let bytes = try AvroBinaryEncoder(schema: schema).encode(value)
            Issue.record("\(amount) was written as \(bytes) instead of being rejected")
            return AvroEncodingError("not rejected")
        } catch {
            return error
        }
    }

    /// Encodes and decodes `amount`; it must come back unchanged (same scale: same text).
    static func roundTrip(_ amount: String, in schema: AvroSchema) throws {
        let value = AvroValue.record(["id": .string("p-1"), "amount": .decimal(try decimal(amount))])
        let bytes = try AvroBinaryEncoder(schema: schema).encode(value)
        let decoded = try AvroBinaryDecoder(schema: schema).decode(bytes)
        #expect(decoded["amount"] == .decimal(try decimal(amount)), "\(amount)")
    }

    @Test func theLargestAndSmallestAmountsOfAParsedFixedDecimalRoundTripAndOnePastThemIsRejected() throws {
        // 8 bytes hold 18 digits at most, so the parser caps the precision there: the precision
        // is the binding limit of every parsed fixed decimal.
        let schema = try AvroSchema(parsing: """
            {"type": "record", "name": "FramedPayment", "namespace": "test", "fields": [
              {"name": "id", "type": "string"},
              {"name": "amount", "type": {"type": "fixed", "name": "Amount", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 2}}
            ]}
            """)
        try Self.roundTrip("9999999999999999.99", in: schema)
        try Self.roundTrip("-9999999999999999.99", in: schema)
        for past in ["10000000000000000.00", "-10000000000000000.00"] {
            let error = try Self.rejection(past, in: schema)
            #expect(error.path == ["amount"])
            #expect(error.description.contains("at amount"), "\(error)")
            #expect(error.message.contains(past) && error.message.contains("precision of 18"), "\(error)")
        }
    }

    @Test func aFixedTooSmallForThePrecisionRejectsWhatItCannotHoldInsteadOfClampingIt() throws {
        // A schema built in code can claim more precision than its fixed holds: the size binds.
        let schema = Self.payment(precision: 30, scale: 2, size: 2)  // -32768...32767 unscaled
        try Self.roundTrip("327.67", in: schema)
        try Self.roundTrip("-327.68", in: schema)
        try Self.roundTrip("0.00", in: schema)
        for past in ["327.68", "-327.69", "1000000.00"] {
            let error = try Self.rejection(past, in: schema)
            #expect(error.path == ["amount"])
            #expect(error.message.contains("decimal \(past) at scale 2"), "\(error)")
            #expect(error.message.contains("the fixed holds 2 (-327.68 to 327.67)"), "\(error)")
        }
    }

    @Test func aValueNeedingRoundingIsRejectedAndExactRescalesAreKept() throws {
        let schema = Self.payment(precision: 10, scale: 2, size: 8)
        for needsRounding in ["1.005", "-0.001", "12.345"] {
            let error = try Self.rejection(needsRounding, in: schema)
            #expect(error.path == ["amount"])
            #expect(error.message.contains("decimal \(needsRounding) has 3 digits after the point but the schema's scale is 2"), "\(error)")
        }
        // Fewer digits gain zeros; extra trailing zeros are dropped: the amount is unchanged.
        let encoder = AvroBinaryEncoder(schema: schema), decoder = AvroBinaryDecoder(schema: schema)
        for (given, stored) in [("12.5", "12.50"), ("7", "7.00"), ("1.500", "1.50"), ("-3.000", "-3.00")] {
            let bytes = try encoder.encode(.record(["id": .string("x"), "amount": .decimal(try Self.decimal(given))]))
            #expect(try decoder.decode(bytes)["amount"] == .decimal(try Self.decimal(stored)), "\(given)")
        }
    }

    @Test func rescalingExactlyNeverChangesTheValue() throws {
        let cases: [(String, Int, String?)] = [
            ("12.5", 3, "12.500"), ("12.500", 1, "12.5"), ("12.500", 0, nil), ("12.345", 2, nil), ("-0.50", 1, "-0.5"),
            ("-0.05", 1, nil), ("0", 2, "0.00"), ("100", 0, "100"), ("99.995", 2, nil), ("1.0", -1, nil),
        ]
        for (input, scale, expected) in cases {
            #expect(try Self.decimal(input).rescaledExactly(to: scale)?.description == expected, "\(input) at scale \(scale)")
        }
        // A negative scale (unscaled 5 × 10²) rescales through its exact value.
        #expect(AvroDecimal(unscaled: 5, scale: -2).rescaledExactly(to: 1)?.description == "500.0")
    }

    @Test func theWriterHelpersAcceptAndRejectExactlyWhatTheGenericEncoderDoes() throws {
        let amounts = ["0", "1.5", "1.50", "1.505", "327.67", "327.68", "-327.68", "-327.69", "99999.99", "100000.00", "-0.01"]
        for (precision, size) in [(30, 2), (7, 8), (4, 3)] {
            let schema = Self.payment(precision: precision, scale: 2, size: size)
            let encoder = AvroBinaryEncoder(schema: schema)
            for amount in amounts {
                let value = try Self.decimal(amount)
                var writer = AvroWriter()
                writer.writeString("p-1")
                let viaWriter = Result { () throws(AvroEncodingError) in
                    try writer.writeDecimal(value, precision: precision, scale: 2, fixedSize: size)
                    return writer.bytes
                }
                let generic = Result { () throws(AvroEncodingError) in
                    try encoder.encode(.record(["id": .string("p-1"), "amount": .decimal(value)]))
                }
                switch (viaWriter, generic) {
                case (.success(let a), .success(let b)): #expect(a == b, "\(amount) precision \(precision) size \(size)")
                case (.failure(let a), .failure(let b)): #expect(a.message == b.message && b.path == ["amount"], "\(amount)")
                default: Issue.record("\(amount) precision \(precision) size \(size): writer \(viaWriter) vs generic \(generic)")
                }
            }
        }
        // On bytes, the precision is the only limit.
        var writer = AvroWriter()
        #expect(throws: AvroEncodingError.self) { try writer.writeDecimal(try Self.decimal("1000.00"), precision: 5, scale: 2) }
        try writer.writeDecimal(try Self.decimal("-999.99"), precision: 5, scale: 2)
        var reader = AvroReader(writer.bytes)
        #expect(try reader.readDecimal(precision: 5, scale: 2) == (try Self.decimal("-999.99")))
    }

    @Test func readersRejectADecimalWithMoreDigitsThanThePrecision() throws {
        var writer = AvroWriter()
        writer.writeFixed([0x00, 0x01, 0x86, 0xA0])  // 100000 unscaled: 6 digits
        var reader = AvroReader(writer.bytes)
        #expect(throws: AvroDecodingError.self) { try reader.readDecimal(precision: 5, scale: 2, fixedSize: 4) }
        var generous = AvroReader(writer.bytes)
        #expect(try generous.readDecimal(precision: 6, scale: 2, fixedSize: 4) == (try Self.decimal("1000.00")))
    }
}
