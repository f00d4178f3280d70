import Testing
@testable import Avro

/// Avro 1.12's `timestamp-nanos` and `local-timestamp-nanos`: integer nanoseconds on `long`,
/// kept exactly (never through `Date`), at the epoch, before it and at the `Int64` bounds.
@Suite struct AvroNanosTimestampTests {
    static let schemaJSON = """
        {"type": "record", "name": "Clock", "namespace": "test", "fields": [
          {"name": "at", "type": {"type": "long", "logicalType": "timestamp-nanos"}},
          {"name": "localAt", "type": {"type": "long", "logicalType": "local-timestamp-nanos"}},
          {"name": "maybe", "type": ["null", {"type": "long", "logicalType": "timestamp-nanos"}], "default": null}
        ]}
        """
    static let plainJSON = """
        {"type": "record", "name": "Clock", "namespace": "test", "fields": [
          {"name": "at", "type": "long"},
          {"name": "localAt", "type": "long"},
          {"name": "maybe", "type": ["null", "long"], "default": null}
        ]}
        """
    static let instants: [Int64] = [0, 1, -1, 1_763_700_000_123_456_789, -1_000_000_000, .max, .min, .max - 1, .min + 1]

    @Test func bothTypesParseOnLongAndAreIgnoredOnOtherTypes() throws {
        let schema = try AvroSchema(parsing: Self.schemaJSON)
        guard case .record(let record) = schema else { Issue.record("not a record"); return }
        #expect(record.fields[0].type == .logical(.timestampNanos, .long))
        #expect(record.fields[1].type == .logical(.localTimestampNanos, .long))
        #expect(record.fields[2].type == .union([.null, .logical(.timestampNanos, .long)]))
        // On int the annotation is invalid: the spec says to ignore it.
        #expect(try AvroSchema(parsing: #"{"type": "int", "logicalType": "timestamp-nanos"}"#) == .int)
        #expect(try AvroSchema(parsing: #"{"type": "string", "logicalType": "local-timestamp-nanos"}"#) == .string)
        // The schema JSON keeps the annotation and parses back to the same schema.
        #expect(try AvroSchema(parsing: schema.jsonText) == schema)
        #expect(schema.jsonText.contains(#""logicalType":"timestamp-nanos""#) && schema.jsonText.contains(#""logicalType":"local-timestamp-nanos""#))
    }

    @Test func theCanonicalFormAndFingerprintLeaveTheLogicalTypesOut() throws {
        let nanos = try AvroSchema(parsing: Self.schemaJSON), plain = try AvroSchema(parsing: Self.plainJSON)
        #expect(nanos.canonicalForm == plain.canonicalForm)
        #expect(nanos.fingerprint == plain.fingerprint)
        #expect(!nanos.canonicalForm.contains("nanos"))
    }

    @Test func valuesRoundTripExactlyAndAreWrittenAsTheirLong() throws {
        let schema = try AvroSchema(parsing: Self.schemaJSON)
        let encoder = AvroBinaryEncoder(schema: schema), decoder = AvroBinaryDecoder(schema: schema)
        let json = AvroJSONCoder(schema: schema)
        for (i, nanos) in Self.instants.enumerated() {
            let local = Self.instants[(i + 1) % Self.instants.count]
            let value = AvroValue.record(["at": .timestampNanos(nanos), "localAt": .localTimestampNanos(local),
                                          "maybe": .union(1, .timestampNanos(nanos))])
            let bytes = try encoder.encode(value)
            var expected = AvroWriter()
            expected.writeLong(nanos)
            expected.writeLong(local)
            expected.writeUnionIndex(1)
            expected.writeLong(nanos)
            #expect(bytes == expected.bytes, "\(nanos)")
            #expect(try decoder.decode(bytes) == value, "\(nanos)")
            let text = try json.encode(value)
            #expect(text.contains("\(nanos)"), "\(text)")
            #expect(try json.decode(text) == value, "\(text)")
        }
        // The plain long is accepted too; a value of another unit is not silently reinterpreted.
        #expect(try encoder.encode(.record(["at": .long(5), "localAt": .long(6)])) == [10, 12, 0])
        #expect(throws: AvroEncodingError.self) {
            try encoder.encode(.record(["at": .timestampMicros(5), "localAt": .localTimestampNanos(6)]))
        }
        #expect(throws: AvroEncodingError.self) {
            try encoder.encode(.record(["at": .timestampNanos(5), "localAt": .timestampNanos(6)]))
        }
    }

    @Test func schemaEvolutionTreatsTheAnnotationLikeTheOtherTimestamps() throws {
        // As for millis and micros, compatibility is decided by the underlying long, and the
        // reader's annotation decides what a resolving decoder returns.
        let nanos = try AvroSchema(parsing: Self.schemaJSON), plain = try AvroSchema(parsing: Self.plainJSON)
        #expect(AvroCompatibility.problems(writer: plain, reader: nanos).isEmpty)
        #expect(AvroCompatibility.problems(writer: nanos, reader: plain).isEmpty)
        let bytes = try AvroBinaryEncoder(schema: plain).encode(.record(["at": .long(.min), "localAt": .long(.max)]))
        let read = try AvroResolvingDecoder(writer: plain, reader: nanos).decode(bytes)
        #expect(read["at"] == .timestampNanos(.min))
        #expect(read["localAt"] == .localTimestampNanos(.max))
        let back = try AvroResolvingDecoder(writer: nanos, reader: plain).decode(bytes)
        #expect(back["at"] == .long(.min))
    }

    @Test func sampleValuesIncludeTheEdgesAndRoundTrip() throws {
        let schema = try AvroSchema(parsing: Self.schemaJSON)
        var samples = AvroSampleValues(seed: 7)
        var seen: Set<Int64> = []
        for _ in 0..<200 {
            let value = samples.value(for: schema)
            guard case .timestampNanos(let at)? = value["at"], case .localTimestampNanos? = value["localAt"] else {
                Issue.record("sample \(value) is not nanos"); return
            }
            seen.insert(at)
            #expect(try AvroBinaryDecoder(schema: schema).decode(try AvroBinaryEncoder(schema: schema).encode(value)) == value)
        }
        #expect(seen.contains { $0 > Int64.max - 1000 } && seen.contains { $0 < Int64.min + 1000 })
        #expect(seen.contains { $0 % 1_000_000 != 0 }, "sub-millisecond digits are exercised")
    }
}
