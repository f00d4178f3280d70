import Testing
import TestingSupport
@testable import Avro

/// Feeds random and mutated inputs to every decoder and asserts each one returns a value or
/// throws ``AvroDecodingError``, never anything else; decoded values must re-encode and decode
/// back to the same bytes. A crash or hang fails the run.
@Suite struct AvroFuzzTests {
    static let schemas: [String] = [
        AvroValueCodingTests.eventSchema,
        #"{"type": "record", "name": "Node", "fields": [{"name": "v", "type": "long"}, {"name": "kids", "type": {"type": "array", "items": "Node"}}, {"name": "next", "type": ["null", "Node"]}]}"#,
        #"{"type": "map", "values": {"type": "array", "items": ["null", "boolean", "int", "string", {"type": "fixed", "name": "F2", "size": 2}, {"type": "map", "values": "double"}]}}"#,
        #"{"type": "array", "items": {"type": "record", "name": "Empty", "fields": []}}"#,
    ]

    /// Small structured mutations that hit length prefixes, varints and indexes.
    static func mutate(_ input: [UInt8], with rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 2 where !bytes.isEmpty: bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &rng)...)
            case 3: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            case 4:
                // An absurd varint (a huge positive or negative length/count/index).
                let huge: [UInt8] = Bool.random(using: &rng) ? [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01] : [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
                bytes.insert(contentsOf: huge, at: Int.random(in: 0...bytes.count, using: &rng))
            case 5 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng))
            default: bytes += (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
        }
        return bytes
    }

    /// Random valid-ish seeds: encodings of random values via a random walk of the schema.
    static func randomValue(_ schema: AvroSchema, names: [AvroName: AvroSchema], depth: Int, rng: inout SplitMix64) -> AvroValue {
        switch schema {
        case .null: return .null
        case .boolean: return .boolean(Bool.random(using: &rng))
        case .int: return .int(Int32.random(in: .min ... .max, using: &rng) >> Int32.random(in: 0...31, using: &rng))
        case .long: return .long(Int64.random(in: .min ... .max, using: &rng) >> Int64.random(in: 0...63, using: &rng))
        case .float: return .float(Float.random(in: -1e6...1e6, using: &rng))
        case .double: return .double(Double.random(in: -1e12...1e12, using: &rng))
        case .bytes: return .bytes((0..<Int.random(in: 0...5, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case .string: return .string(String((0..<Int.random(in: 0...5, using: &rng)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng))) }))
        case .fixed(let f): return .fixed((0..<f.size).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case .enumeration(let e): return .enumeration(e.symbols.randomElement(using: &rng) ?? "")
        case .array(let items):
            let count = depth > 3 ? 0 : Int.random(in: 0...3, using: &rng)
            return .array((0..<count).map { _ in randomValue(items, names: names, depth: depth + 1, rng: &rng) })
        case .map(let values):
            let count = depth > 3 ? 0 : Int.random(in: 0...3, using: &rng)
            var map: [String: AvroValue] = [:]
            for i in 0..<count { map["k\(i)"] = randomValue(values, names: names, depth: depth + 1, rng: &rng) }
            return .map(map)
        case .union(let branches):
            let i = depth > 3 ? 0 : Int.random(in: 0..<branches.count, using: &rng)
            return .union(i, randomValue(branches[i], names: names, depth: depth + 1, rng: &rng))
        case .record(let r):
            var fields: [String: AvroValue] = [:]
            for f in r.fields { fields[f.name] = randomValue(f.type, names: names, depth: depth + 1, rng: &rng) }
            return .record(fields)
        case .reference(let name):
            guard let definition = names[name] else { return .null }
            return randomValue(definition, names: names, depth: depth, rng: &rng)
        case .logical(let type, let base):
            switch type {
            case .decimal(let precision, let scale):
                let digits = Int.random(in: 1...min(precision, 18), using: &rng)
                var text = String((0..<digits).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x30...0x39, using: &rng))) })
                if scale > 0 { text = String(repeating: "0", count: max(0, scale + 1 - text.count)) + text; text.insert(".", at: text.index(text.endIndex, offsetBy: -scale)) }
                if let d = AvroDecimal(text) { return .decimal(d) }
                return randomValue(base, names: names, depth: depth, rng: &rng)
            case .uuid: return .string("123e4567-e89b-12d3-a456-426614174000")
            default: return randomValue(base, names: names, depth: depth, rng: &rng)
            }
        }
    }

    /// What decoding one input gave.
    enum Outcome: Equatable {
        /// A value, whose re-encoding decodes and re-encodes to the same bytes.
        case value
        /// An ``AvroDecodingError``.
        case decodingError
        /// Anything else: a defect (recorded as an issue).
        case unexpected
    }

    /// Decodes, and for a success checks encode(decode(x)) is a fixed point.
    static func check(_ bytes: [UInt8], schema: AvroSchema) -> Outcome {
        let decoder = AvroBinaryDecoder(schema: schema)
        let encoder = AvroBinaryEncoder(schema: schema)
        do {
            let value = try decoder.decode(bytes)
            let again = try encoder.encode(value)
            guard try encoder.encode(try decoder.decode(again)) == again else {
                Issue.record("re-encoding is not a fixed point for input \(bytes)")
                return .unexpected
            }
            return .value
        } catch is AvroDecodingError {
            return .decodingError
        } catch {
            Issue.record("unexpected error \(error) for input \(bytes)")
            return .unexpected
        }
    }

    @Test(arguments: 0..<schemas.count)
    func genericDecoderSurvivesRandomAndMutatedInput(schemaIndex: Int) throws {
        let schema = try AvroSchema(parsing: Self.schemas[schemaIndex])
        let names = schema.namedTypes
        var rng = SplitMix64(seed: 0xA5A5_0000 + UInt64(schemaIndex))
        var mutatedOutcomes: [Outcome: Int] = [:]
        for round in 0..<3000 {
            if round % 3 == 0 {
                let random = (0..<Int.random(in: 0...48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                #expect(Self.check(random, schema: schema) != .unexpected, "seed round \(round)")
            } else {
                let valid = try AvroBinaryEncoder(schema: schema).encode(Self.randomValue(schema, names: names, depth: 0, rng: &rng))
                #expect(Self.check(valid, schema: schema) == .value, "seed round \(round)")
                let outcome = Self.check(Self.mutate(valid, with: &rng), schema: schema)
                #expect(outcome != .unexpected, "seed round \(round)")
                mutatedOutcomes[outcome, default: 0] += 1
            }
        }
        // Mutations must both get through and get caught, or the fuzzing exercises little.
        #expect(mutatedOutcomes[.value, default: 0] > 50)
        #expect(mutatedOutcomes[.decodingError, default: 0] > 50)
    }

    @Test func resolvingDecoderAndFramingSurviveMutatedInput() throws {
        let writer = try AvroSchema(parsing: Self.schemas[0])
        // A reader that drops, promotes, reorders and adds fields.
        let reader = try AvroSchema(parsing: """
            {"type": "record", "name": "Event", "namespace": "t", "fields": [
              {"name": "s", "type": "bytes"}, {"name": "i", "type": "double"}, {"name": "l", "type": "float"},
              {"name": "e", "type": {"type": "enum", "name": "Suit", "symbols": ["SPADES"]}},
              {"name": "arr", "type": {"type": "array", "items": {"type": "map", "values": ["null", "double", "Suit"]}}},
              {"name": "extra", "type": ["null", "string"], "default": null}]}
            """)
        let resolver = try AvroResolvingDecoder(writer: writer, reader: reader)
        let store = AvroSchemaStore([writer, FramedPayment.avroSchema, FramedPayment.v1Schema])
        store.register(FramedPayment.v1Schema, confluentID: 1)
        store.register(FramedPayment.avroSchema, confluentID: 2)
        let names = writer.namedTypes
        var rng = SplitMix64(seed: 0x5EED)
        var outcomes = (values: 0, errors: 0)
        func attempt(_ body: () throws -> Void) {
            do {
                try body()
                outcomes.values += 1
            } catch is AvroDecodingError {
                outcomes.errors += 1
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        }
        for round in 0..<3000 {
            let valid = try AvroBinaryEncoder(schema: writer).encode(Self.randomValue(writer, names: names, depth: 0, rng: &rng))
            let input = round % 4 == 0 ? valid : Self.mutate(valid, with: &rng)
            attempt { _ = try resolver.decode(input) }
            attempt { _ = try resolver.transcode(input) }
            // Where resolution gives a value, transcoding gives the same value's encoding.
            if let value = try? resolver.decode(input) {
                let readerEncoder = AvroBinaryEncoder(schema: reader)
                let transcoded = try resolver.transcode(input)
                #expect(try readerEncoder.encode(try AvroBinaryDecoder(schema: reader).decode(transcoded)) == (try readerEncoder.encode(value)))
            }

            let payment = FramedPayment(id: "p\(round)", amountMinor: Int64(round), note: round % 2 == 0 ? nil : "n")
            var singleObject = round % 3 == 0 ? try AvroSingleObject.encode(payment)
                : try AvroSingleObject.encode(.record(["amountMinor": .int(Int32(round)), "id": .string("x")]), schema: FramedPayment.v1Schema)
            singleObject = Self.mutate(singleObject, with: &rng)
            attempt { _ = try AvroSingleObject.decode(FramedPayment.self, from: singleObject, store: store) }
            attempt { _ = try AvroSingleObject.decode(singleObject, store: store) }

            let confluent = Self.mutate(try AvroConfluentWireFormat.encode(payment, schemaID: Int32(1 + round % 2)), with: &rng)
            attempt { _ = try AvroConfluentWireFormat.decode(FramedPayment.self, from: confluent, store: store) }
            attempt { _ = try AvroConfluentWireFormat.decode(confluent, store: store, readerSchema: FramedPayment.avroSchema) }
        }
        // Both outcomes must actually occur, or the fuzzing is not exercising anything.
        #expect(outcomes.values > 300)
        #expect(outcomes.errors > 1000)
    }

    @Test func jsonParsersSurviveMutatedText() throws {
        let schema = try AvroSchema(parsing: Self.schemas[0])
        let coder = AvroJSONCoder(schema: schema)
        let seedText = try coder.encode(AvroValueCodingTests.eventValue)
        var rng = SplitMix64(seed: 0x1507)
        var parsed = 0
        var rejected = 0
        for _ in 0..<2000 {
            let mutated = Self.mutate(Array(seedText.utf8), with: &rng)
            let text = String(decoding: mutated, as: UTF8.self)
            do {
                _ = try coder.decode(text)
                parsed += 1
            } catch {
                // Typed throws: AvroError is the only possible error; it must explain itself.
                #expect(!error.description.isEmpty)
                rejected += 1
            }
            do {
                _ = try AvroSchema(parsing: String(decoding: Self.mutate(Array(Self.schemas[1].utf8), with: &rng), as: UTF8.self))
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        #expect(parsed + rejected == 2000)
        #expect(rejected > 1000)
    }
}
