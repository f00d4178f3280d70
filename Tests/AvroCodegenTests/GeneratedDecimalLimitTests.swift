import Avro
import AvroTestSupport
import Testing

/// Generated encoders (the `Ledger` fixture) report a decimal their schema cannot hold, with
/// the path to it, instead of writing another amount; nanosecond timestamps stay exact.
@Suite struct GeneratedDecimalLimitTests {
    static func amount(_ text: String) throws -> AvroDecimal {
        try #require(AvroDecimal(text), "\(text) is not decimal text")
    }

    static func ledger() throws -> Ledger {
        Ledger(
            total: try amount("9999999999999999.99"),
            entries: [Entry(memo: "a", amount: try amount("-9999999999999999.99")), Entry(memo: "b", amount: try amount("0.01"))],
            byAccount: ["cash": try amount("12.5")],
            fee: try amount("0.30"),
            adjustment: .decimal(try amount("-9999.99")),
            refund: nil,
            at: .min,
            localAt: .max
        )
    }

    /// The error encoding `ledger` throws, or a recorded issue if it does not throw.
    static func rejection(_ ledger: Ledger) -> AvroEncodingError? {
        do {
            let bytes = try ledger.avroEncoded()
            Issue.record("written as \(bytes.count) bytes instead of being rejected")
            return nil
        } catch {
            return error
        }
    }

    @Test func theLargestAndSmallestAmountsRoundTripThroughGeneratedAndGenericCode() throws {
        let ledger = try Self.ledger()
        let bytes = try ledger.avroEncoded()
        #expect(try Ledger(avroEncoded: bytes) == Ledger(
            total: ledger.total, entries: ledger.entries, byAccount: ["cash": try Self.amount("12.50")], fee: ledger.fee,
            adjustment: ledger.adjustment, refund: nil, at: .min, localAt: .max))
        let generic = try AvroBinaryDecoder(schema: Ledger.avroSchema).decode(bytes)
        #expect(generic["total"] == .decimal(try Self.amount("9999999999999999.99")))
        #expect(generic["at"] == .timestampNanos(.min))
        #expect(generic["localAt"] == .localTimestampNanos(.max))
        #expect(try GeneratedTypeRoundTrip.check(Ledger.self, count: 200) == 200)
    }

    @Test func oneCentPastTheFixedsLimitIsAnErrorNamingTheField() throws {
        var ledger = try Self.ledger()
        ledger.total = try Self.amount("10000000000000000.00")
        let error = try #require(Self.rejection(ledger))
        #expect(error.path == ["total"])
        #expect(error.description.contains("at total:"), "\(error)")
        #expect(error.message.contains("10000000000000000.00") && error.message.contains("precision of 18"), "\(error)")
        // The generic encoder says the same about the same value.
        var generic = try AvroBinaryDecoder(schema: Ledger.avroSchema).decode(try Self.ledger().avroEncoded())
        if case .record(var fields) = generic { fields["total"] = .decimal(ledger.total); generic = .record(fields) }
        #expect(throws: error) { try AvroBinaryEncoder(schema: Ledger.avroSchema).encode(generic) }
    }

    @Test func errorsInsideCollectionsUnionsAndNestedRecordsCarryTheirPath() throws {
        let tooBig = try Self.amount("-10000000000000000.00")
        let needsRounding = try Self.amount("0.305")
        var inArray = try Self.ledger()
        inArray.entries[1].amount = tooBig
        #expect(Self.rejection(inArray)?.path == ["entries", "[1]", "amount"])
        var inMap = try Self.ledger()
        inMap.byAccount["bank"] = needsRounding
        #expect(Self.rejection(inMap)?.path == ["byAccount", "[\"bank\"]"])
        #expect(Self.rejection(inMap)?.message.contains("scale is 2") == true)
        var optional = try Self.ledger()
        optional.fee = needsRounding
        #expect(Self.rejection(optional)?.path == ["fee"])
        var union = try Self.ledger()
        union.adjustment = .decimal(try Self.amount("10000.00"))  // precision 6
        #expect(Self.rejection(union)?.description == "Avro encoding failed at adjustment: decimal 10000.00 has 7 digits at scale 2, more than the schema's precision of 6")
        var nested = try Self.ledger()
        nested.refund = Entry(memo: "r", amount: tooBig)
        #expect(Self.rejection(nested)?.path == ["refund", "amount"])
        // Framing reports it too, instead of writing a message.
        #expect(throws: AvroEncodingError.self) { try AvroSingleObject.encode(nested) }
        #expect(throws: AvroEncodingError.self) { try AvroConfluentWireFormat.encode(nested, schemaID: 1) }
    }
}
