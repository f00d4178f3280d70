import Avro
import Foundation
import SagaContracts
import Subprocess
import Testing
@testable import SchemaRegistry

/// confluent-kafka's own Python SchemaRegistryClient, AvroSerializer and AvroDeserializer
/// against the contracts' registry served in process (installed by scripts/setup).
@Suite struct ConfluentInteropTests {
    static let script = RegistryFixtures.root.appendingPathComponent("Tests/SchemaRegistryTests/Python/confluent_interop.py")

    /// Runs the script and returns its JSON output.
    static func python(_ arguments: [String]) async throws -> JSONValue {
        let deps = RegistryFixtures.root.appendingPathComponent(".deps")
        let path = [deps.appendingPathComponent("python").path, deps.appendingPathComponent("python-registry").path].joined(separator: ":")
        let limit = 16 << 20
        let result = try await Subprocess.run(
            .name("python3"), arguments: Arguments([script.path] + arguments),
            environment: .inherit.updating(["PYTHONPATH": path]),
            output: .string(limit: limit), error: .string(limit: limit)
        )
        let output = result.standardOutput
        guard result.terminationStatus.isSuccess else {
            let stderr = result.standardError
            if stderr.contains("No module named") {
                throw RegistryFixtures.FixtureError(description: "confluent-kafka's schema registry packages are missing: run scripts/setup (\(stderr))")
            }
            throw RegistryFixtures.FixtureError(description: "confluent_interop.py \(arguments.first ?? "") failed (\(result.terminationStatus)): \(stderr)")
        }
        return try JSONValue(parsing: output)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { throw RegistryFixtures.FixtureError(description: "odd hex length") }
        return try stride(from: 0, to: digits.count, by: 2).map { i in
            guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else {
                throw RegistryFixtures.FixtureError(description: "bad hex \(hex)")
            }
            return byte
        }
    }

    @Test func pythonsAvroSerializerLooksUpOurSchemaAndSwiftDecodesItsBytes() async throws {
        let schemaFile = RegistryFixtures.root.appendingPathComponent("schemas/com.swiftsaga.transfer.TransferRequested.avsc").path
        let id = ContractRegistry.id(of: TransferRequested.avroSchema)
        let output = try await RegistryFixtures.withLiveRegistry { url in
            try await Self.python(["serialize", url, schemaFile, SagaTopics().transferRequested])
        }
        #expect(output["lookup"] == .object([("subject", .string("transfer.requested-value")), ("id", .integer(Int64(id))), ("version", .integer(1))]))
        #expect(output["latest"]?["id"] == .integer(Int64(id)))
        #expect(output["byIdSchemaName"] == .string(TransferRequested.messageType))
        #expect(output["hasTopicSubject"] == .bool(true))
        guard case .string(let hex)? = output["bytes"] else { throw RegistryFixtures.FixtureError(description: "no bytes in \(output)") }
        let message = try Self.bytes(hex: hex)

        // Swift: detect the framing, fetch the writer schema by id, decode synchronously.
        #expect(try AvroWireFraming.detect(message) == .confluent(schemaID: id))
        try AvroWireFormat.check(contentType: SagaContracts.confluentContentType, against: AvroWireFraming.detect(message))
        let decoded = try await RegistryFixtures.withLiveRegistry { url in
            let cache = ConfluentSchemaCache(source: try SchemaRegistryClient(configuration: SchemaRegistryConfiguration(url: url)))
            try await cache.prefetch(for: message)
            return try cache.decode(TransferRequested.self, from: message)
        }
        #expect(decoded.payerVpa == "alice@okbank" && decoded.payeeVpa == "bob@okbank")
        #expect(decoded.amount == Money(amountMinor: 25000, currency: "INR"))
        #expect(decoded.note == "rent")
        #expect(decoded.transferId.uuidString.lowercased() == "6c4f8a2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b")
        #expect(decoded.metadata.source == "python-upi-frontend")
        #expect(Int64((decoded.metadata.occurredAt.timeIntervalSince1970 * 1000).rounded()) == 1_795_251_515_191)
        // The writer schema given directly decodes the same.
        #expect(try AvroConfluentWireFormat.decode(TransferRequested.self, from: message, writerSchema: TransferRequested.avroSchema) == decoded)
    }

    @Test func swiftsConfluentBytesDecodeInPythonsAvroDeserializer() async throws {
        let id = ContractRegistry.id(of: TransferRequested.avroSchema)
        let message = try AvroConfluentWireFormat.encode(InteropValues.transfer, schemaID: id)
        let output = try await RegistryFixtures.withLiveRegistry { url in
            try await Self.python(["deserialize", url, Self.hex(message), SagaTopics().transferRequested])
        }
        let value = try #require(output["value"])
        #expect(value["payerVpa"] == .string("carol@okbank"))
        #expect(value["amount"] == .object([("amountMinor", .integer(123_456)), ("currency", .string("INR"))]))
        #expect(value["transferId"] == .string(InteropValues.uuid(2).uuidString.lowercased()))
        #expect(value["metadata"]?["occurredAt"] == .integer(1_795_000_000_000))
        #expect(value["note"] == .null)
    }
}
