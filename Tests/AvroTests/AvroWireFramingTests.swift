import Testing
@testable import Avro

/// Telling single-object from Confluent framing, decoding either, and content-type agreement.
@Suite struct AvroWireFramingTests {
    static func schema() throws -> AvroSchema {
        try AvroSchema(parsing: #"{"type":"record","name":"t.Point","fields":[{"name":"x","type":"long"},{"name":"label","type":"string"}]}"#)
    }
    static let value = AvroValue.record(["x": .long(-7), "label": .string("p")])

    @Test func detectsEachFramingByItsMagicBytes() throws {
        let single = try AvroSingleObject.encode(Self.value, schema: Self.schema())
        let confluent = try AvroConfluentWireFormat.encode(Self.value, schema: Self.schema(), schemaID: 0x0102_0304)
        #expect(try AvroWireFraming.detect(single) == .singleObject(fingerprint: Self.schema().fingerprint))
        #expect(try AvroWireFraming.detect(confluent) == .confluent(schemaID: 0x0102_0304))
        #expect(try AvroWireFraming.detect(single).bodyOffset == 10)
        #expect(try AvroWireFraming.detect(confluent).bodyOffset == 5)
    }

    @Test func neitherFramingIsAClearError() throws {
        for (bytes, found) in [(Array("{\"x\":1}".utf8), [UInt8(0x7B), 0x22]), ([0xC3, 0x02, 1, 2], [0xC3, 0x02]), ([], [])] {
            do {
                _ = try AvroWireFraming.detect(bytes)
                Issue.record("\(bytes) detected")
            } catch {
                #expect(error.kind == .unknownFraming(found: found))
                #expect(error.description.contains("neither single-object (C3 01) nor Confluent (00 + schema id)"))
            }
        }
        #expect(throws: AvroDecodingError(.truncated(needed: 2), offset: 3)) { _ = try AvroWireFraming.detect([0, 0, 1]) }
        #expect(throws: AvroDecodingError(.truncated(needed: 8), offset: 2)) { _ = try AvroWireFraming.detect([0xC3, 0x01]) }
    }

    @Test func decodesConfluentBytesWithAWriterSchemaResolvedByID() throws {
        let message = try AvroConfluentWireFormat.encode(Self.value, schema: Self.schema(), schemaID: 9)
        #expect(try AvroConfluentWireFormat.decode(message, writerSchema: Self.schema()) == Self.value)
        // Resolved against a reader schema like any writer schema: a field added with a default.
        let reader = try AvroSchema(parsing: #"{"type":"record","name":"t.Point","fields":[{"name":"x","type":"long"},{"name":"label","type":"string"},{"name":"y","type":"long","default":5}]}"#)
        let resolved = try AvroConfluentWireFormat.decode(message, writerSchema: Self.schema(), readerSchema: reader)
        #expect(resolved == .record(["x": .long(-7), "label": .string("p"), "y": .long(5)]))
        #expect(throws: AvroDecodingError.self) { _ = try AvroConfluentWireFormat.decode([0xC3, 0x01] + message.dropFirst(2), writerSchema: Self.schema()) }
    }

    @Test func decodesEitherFramingFromAStore() throws {
        let store = AvroSchemaStore([try Self.schema()])
        store.register(try Self.schema(), confluentID: 9)
        let single = try AvroSingleObject.encode(Self.value, schema: Self.schema())
        let confluent = try AvroConfluentWireFormat.encode(Self.value, schema: Self.schema(), schemaID: 9)
        #expect(try AvroWireFraming.decode(single, store: store) == Self.value)
        #expect(try AvroWireFraming.decode(confluent, store: store) == Self.value)
        let unknown = try AvroConfluentWireFormat.encode(Self.value, schema: Self.schema(), schemaID: 10)
        #expect(throws: AvroDecodingError(.unknownSchemaID(10), offset: 1)) { _ = try AvroWireFraming.decode(unknown, store: store) }
    }

    @Test func contentTypesAgreeWithTheDetectedFraming() throws {
        let single = AvroWireFraming.singleObject(fingerprint: 1)
        let confluent = AvroWireFraming.confluent(schemaID: 2)
        #expect(AvroWireFormat.singleObject.contentType == "application/vnd.apache.avro+binary; single-object")
        #expect(AvroWireFormat.confluent.contentType == "application/vnd.apache.avro+binary; confluent")
        try AvroWireFormat.check(contentType: AvroWireFormat.singleObject.contentType, against: single)
        try AvroWireFormat.check(contentType: "Application/Vnd.Apache.Avro+Binary;confluent", against: confluent)
        try AvroWireFormat.check(contentType: "application/vnd.apache.avro+binary", against: confluent)
        try AvroWireFormat.check(contentType: nil, against: single)

        do {
            try AvroWireFormat.check(contentType: AvroWireFormat.singleObject.contentType, against: confluent)
            Issue.record("a single-object header accepted Confluent bytes")
        } catch {
            #expect(error.description.contains("the header says single-object but the value's bytes are Confluent (schema id 2)"))
        }
        #expect(throws: AvroContentTypeMismatch.self) { try AvroWireFormat.check(contentType: "application/json", against: single) }
        #expect(throws: AvroContentTypeMismatch.self) { try AvroWireFormat.check(contentType: "application/vnd.apache.avro+binary; protobuf", against: single) }
    }
}
