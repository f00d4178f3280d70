import Testing
@testable import Avro

/// A hand-written ``AvroCodable`` type following the contract generated code follows.
struct FramedPayment: AvroCodable, Equatable {
    var id: String
    var amountMinor: Int64
    var note: String?

    static let avroSchema: AvroSchema = {
        do {
            return try AvroSchema(parsing: """
                {"type": "record", "name": "FramedPayment", "namespace": "pay", "fields": [
                  {"name": "id", "type": "string"}, {"name": "amountMinor", "type": "long"},
                  {"name": "note", "type": ["null", "string"], "default": null}]}
                """)
        } catch {
            preconditionFailure("static test schema is invalid: \(error)")
        }
    }()
    static let avroFingerprint: UInt64 = avroSchema.fingerprint

    init(id: String, amountMinor: Int64, note: String?) {
        self.id = id
        self.amountMinor = amountMinor
        self.note = note
    }

    func encode(to writer: inout AvroWriter) {
        writer.writeString(id)
        writer.writeLong(amountMinor)
        writer.writeOptional(note) { $0.writeString($1) }
    }

    init(from reader: inout AvroReader) throws(AvroDecodingError) {
        do { id = try reader.readString() } catch { throw error.prefixed(with: "id") }
        do { amountMinor = try reader.readLong() } catch { throw error.prefixed(with: "amountMinor") }
        do { note = try reader.readOptional { (r: inout AvroReader) throws(AvroDecodingError) in try r.readString() } }
        catch { throw error.prefixed(with: "note") }
    }

    /// The previous version of the schema: int amount, no note.
    static let v1Schema: AvroSchema = {
        do {
            return try AvroSchema(parsing: """
                {"type": "record", "name": "FramedPayment", "namespace": "pay", "fields": [
                  {"name": "amountMinor", "type": "int"}, {"name": "id", "type": "string"}]}
                """)
        } catch {
            preconditionFailure("static test schema is invalid: \(error)")
        }
    }()
}

@Suite struct AvroFramingTests {
    let payment = FramedPayment(id: "p-1", amountMinor: 12_345, note: "rent")

    @Test func singleObjectLayout() throws {
        let message = try AvroSingleObject.encode(payment)
        #expect(Array(message[0..<2]) == [0xC3, 0x01])
        #expect(Array(message[2..<10]) == AvroFingerprint.littleEndianBytes(FramedPayment.avroSchema.fingerprint))
        #expect(try Array(message[10...]) == payment.avroEncoded())
        let generic = try AvroSingleObject.encode(try AvroBinaryDecoder(schema: FramedPayment.avroSchema).decode(payment.avroEncoded()), schema: FramedPayment.avroSchema)
        #expect(generic == message)
    }

    @Test func singleObjectRoundTripTypedAndGeneric() throws {
        let store = AvroSchemaStore([FramedPayment.avroSchema])
        let message = try AvroSingleObject.encode(payment)
        #expect(try AvroSingleObject.decode(FramedPayment.self, from: message, store: store) == payment)
        #expect(try AvroSingleObject.decode(message, store: store)
                == .record(["id": .string("p-1"), "amountMinor": .long(12_345), "note": .union(1, .string("rent"))]))
    }

    @Test func singleObjectFromAnOlderWriterSchemaIsResolved() throws {
        let store = AvroSchemaStore([FramedPayment.v1Schema])
        let old = try AvroSingleObject.encode(.record(["amountMinor": .int(99), "id": .string("p-0")]), schema: FramedPayment.v1Schema)
        #expect(try AvroSingleObject.decode(FramedPayment.self, from: old, store: store) == FramedPayment(id: "p-0", amountMinor: 99, note: nil))
        #expect(try AvroSingleObject.decode(old, store: store, readerSchema: FramedPayment.avroSchema)
                == .record(["id": .string("p-0"), "amountMinor": .long(99), "note": .union(0, .null)]))
    }

    @Test func unknownFingerprintAndBadMagic() throws {
        let store = AvroSchemaStore()
        let other = try AvroSchema(parsing: "\"string\"")
        let message = try AvroSingleObject.encode(.string("x"), schema: other)
        #expect {
            try AvroSingleObject.decode(FramedPayment.self, from: message, store: store)
        } throws: { error in
            (error as? AvroDecodingError)?.kind == .unknownFingerprint(other.fingerprint)
        }
        #expect {
            try AvroSingleObject.decode([0xC3, 0x02] + message[2...], store: store)
        } throws: { error in
            (error as? AvroDecodingError)?.kind == .badMagic(expected: [0xC3, 0x01], found: [0xC3, 0x02])
        }
        #expect {
            try AvroSingleObject.decode([0xC3, 0x01, 0x00], store: store)
        } throws: { error in
            (error as? AvroDecodingError)?.kind == .truncated(needed: 7)
        }
    }

    @Test func trailingBytesAreRejected() throws {
        let store = AvroSchemaStore([FramedPayment.avroSchema])
        #expect {
            try AvroSingleObject.decode(FramedPayment.self, from: AvroSingleObject.encode(payment) + [0], store: store)
        } throws: { error in
            (error as? AvroDecodingError)?.kind == .trailingBytes(count: 1)
        }
    }

    @Test func confluentWireFormat() throws {
        let store = AvroSchemaStore()
        store.register(FramedPayment.avroSchema, confluentID: 42)
        store.register(FramedPayment.v1Schema, confluentID: 7)
        let message = try AvroConfluentWireFormat.encode(payment, schemaID: 42)
        #expect(Array(message[0..<5]) == [0, 0, 0, 0, 42])
        #expect(try AvroConfluentWireFormat.decode(FramedPayment.self, from: message, store: store) == payment)
        let old = try AvroConfluentWireFormat.encode(.record(["amountMinor": .int(1), "id": .string("a")]), schema: FramedPayment.v1Schema, schemaID: 7)
        #expect(try AvroConfluentWireFormat.decode(FramedPayment.self, from: old, store: store) == FramedPayment(id: "a", amountMinor: 1, note: nil))
        #expect {
            try AvroConfluentWireFormat.decode(FramedPayment.self, from: [0, 0, 0, 1, 0] + payment.avroEncoded(), store: store)
        } throws: { error in
            (error as? AvroDecodingError)?.kind == .unknownSchemaID(256)
        }
        #expect {
            try AvroConfluentWireFormat.decode(FramedPayment.self, from: [1, 0, 0, 0, 42], store: store)
        } throws: { error in
            (error as? AvroDecodingError)?.kind == .badMagic(expected: [0], found: [1])
        }
    }

    @Test func typedDecodeWithWriterSchema() throws {
        let old = try AvroBinaryEncoder(schema: FramedPayment.v1Schema).encode(.record(["amountMinor": .int(5), "id": .string("x")]))
        #expect(try FramedPayment(avroEncoded: old, writerSchema: FramedPayment.v1Schema) == FramedPayment(id: "x", amountMinor: 5, note: nil))
        #expect(try FramedPayment(avroEncoded: payment.avroEncoded(), writerSchema: FramedPayment.avroSchema) == payment)
    }

    @Test func typedDecodingErrorsNameTheField() throws {
        var bytes = try payment.avroEncoded()
        bytes.removeLast(2)
        #expect {
            try FramedPayment(avroEncoded: bytes)
        } throws: { error in
            guard let error = error as? AvroDecodingError else { return false }
            return error.path == ["note"] && error.description.contains("in note")
        }
    }

    @Test func schemaStoreIsSafeUnderConcurrentUse() async throws {
        let store = AvroSchemaStore()
        let schemas = try (0..<16).map { i in
            try AvroSchema(parsing: #"{"type": "record", "name": "pay.FramedPayment", "fields": [{"name": "id", "type": "string"}, {"name": "amountMinor", "type": "long"}, {"name": "extra\#(i)", "type": "int", "default": \#(i)}]}"#)
        }
        let message = try AvroSingleObject.encode(FramedPayment(id: "c", amountMinor: 1, note: nil))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, schema) in schemas.enumerated() {
                group.addTask {
                    store.register(schema, confluentID: Int32(i))
                    #expect(store.schema(fingerprint: schema.fingerprint) == schema)
                    #expect(store.schema(confluentID: Int32(i)) == schema)
                    // Resolving FramedPayment data into this version fills in its default.
                    let value = try AvroSingleObject.decode(message, store: AvroSchemaStore([FramedPayment.avroSchema]), readerSchema: schema)
                    #expect(value["extra\(i)"] == .int(Int32(i)))
                    _ = try store.resolver(writer: FramedPayment.avroSchema, reader: schema)
                }
            }
            try await group.waitForAll()
        }
        #expect(schemas.allSatisfy { store.schema(fingerprint: $0.fingerprint) != nil })
    }
}

