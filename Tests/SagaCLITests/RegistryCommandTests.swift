import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import SagaContracts
import SchemaRegistry
import Testing

/// `sagactl schema check --registry` and `schema register --registry` against the contracts'
/// read-only registry served live in process.
@Suite struct RegistryCommandTests {
    static func withRegistry<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let registry = try ContractRegistry(schemas: AvroGeneratedTypes.all.map { $0.avroSchema }, topics: SagaTopics().messageTypes)
        let router = Router()
        ContractRegistryRoutes(registry: registry).addRoutes(to: router.group("registry"))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await body("http://127.0.0.1:\(port)/registry")
        }
    }

    @Test func checkPassesWhenTheRegistryHasTheseContracts() async throws {
        let result = try await Self.withRegistry { url in try await SagactlProcess.run(["schema", "check", "--registry", url]) }
        #expect(result.status == 0, "\(result.text)\(result.error)")
        #expect(result.text.contains("ok   transfer.requested-value: compatible with the registry's latest version"))
        #expect(result.text.contains("0 failed"))
    }

    @Test func checkFailsOnAnIncompatibleChangeNamingTheSubjects() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("registry-check-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: SagactlProcess.packageDirectory.appendingPathComponent("schemas"), to: scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Money gains a field without a default: the new version cannot read old data.
        let money = #"{"type":"record","name":"Money","namespace":"com.swiftsaga.common","fields":[{"name":"amountMinor","type":"long"},{"name":"currency","type":"string"},{"name":"scale","type":"int"}]}"#
        try Data(money.utf8).write(to: scratch.appendingPathComponent("com.swiftsaga.common.Money.avsc"))
        let result = try await Self.withRegistry { url in
            try await SagactlProcess.run(["schema", "check", "--registry", url, "--dir", scratch.path])
        }
        #expect(result.status == 1, "\(result.text)\(result.error)")
        #expect(result.text.contains("FAIL com.swiftsaga.common.Money: not compatible"))
        #expect(result.text.contains("FAIL transfer.requested-value: not compatible"))
        #expect(result.text.contains("scale"))
    }

    @Test func registerIntoTheReadOnlyRegistryIsRefusedPointingAtSchemas() async throws {
        let result = try await Self.withRegistry { url in try await SagactlProcess.run(["schema", "register", "--registry", url]) }
        #expect(result.status == 1, "\(result.text)\(result.error)")
        #expect(result.text.contains("FAIL transfer.requested-value"))
        #expect(result.text.contains("schemas/"))
    }

    @Test func anUnreachableRegistryIsAnInputError() async throws {
        let result = try await SagactlProcess.run(["schema", "check", "--registry", "http://127.0.0.1:1"])
        #expect(result.status == 2, "\(result.text)\(result.error)")
        #expect(result.error.contains("registry unavailable"))
    }
}
