import Avro
import Foundation
import Hummingbird
import Kafka
import SagaContracts
import SagaCore
import SagaDev
import SagaKafka
import SagaSystem
import SagaTestSupport
import SchemaRegistry
import ServiceKit
import ServiceLifecycle
import Testing

/// The `all` role in process on the test broker with an external schema registry (a
/// ``ContractRegistryRoutes`` server in process) that alone knows an evolved `TransferRequested`
/// writer schema: while that registry is down, a record written with it waits (retried, never
/// dead-lettered) and `/readyz` names the registry; once it is back, the saga completes.
@Suite(.serialized, .timeLimit(.minutes(4))) struct RegistryOutageTests {
    /// `TransferRequested` with a field appended (a backward-compatible evolution our reader ignores).
    static func evolvedTransferRequested() throws -> AvroSchema {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(TransferRequested.avroSchema.jsonText.utf8)) as? [String: Any])
        var schema = object
        var fields = try #require(object["fields"] as? [Any])
        fields.append(["name": "channel", "type": "string", "default": "web"] as [String: Any])
        schema["fields"] = fields
        let text = String(decoding: try JSONSerialization.data(withJSONObject: schema, options: [.sortedKeys]), as: UTF8.self)
        return try AvroSchema(parsing: text)
    }

    /// A registry server on 127.0.0.1:`port`, serving `registry` at the root (as `SAGA_SCHEMA_REGISTRY_URL=http://127.0.0.1:port` expects).
    struct ExternalRegistry {
        let group: ServiceGroup
        let running: Task<Void, any Error>
        let port: Int

        static func start(_ registry: ContractRegistry, port: Int) async throws -> ExternalRegistry {
            let router = Router()
            ContractRegistryRoutes(registry: registry).addRoutes(to: router)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: Broker.logger)
            let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: Broker.logger)
            let running = Task { try await group.run() }
            try await eventually("the external registry to answer on port \(port)", within: 30) {
                (try? await httpGet(port: port, "/subjects"))?.status == 200
            }
            return ExternalRegistry(group: group, running: running, port: port)
        }

        /// Stops the server and waits until its port refuses connections.
        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await running.value
            let port = self.port
            try await eventually("port \(port) to refuse connections", within: 30) {
                (try? await httpGet(port: port, "/subjects")) == nil
            }
        }
    }

    /// Whether `topic` holds no record (every partition's low watermark at its high watermark).
    static func isEmpty(_ topic: String, kafka: KafkaConfiguration) async throws -> Bool {
        let watermarks = try await KafkaTopicReader(configuration: kafka, logger: Broker.logger).watermarks(of: topic)
        return !watermarks.isEmpty && watermarks.allSatisfy(\.isEmpty)
    }

    @Test func aRecordWhoseWriterSchemaOnlyTheExternalRegistryKnowsWaitsWhileItIsDownAndCompletesOnceItIsBack() async throws {
        let evolved = try Self.evolvedTransferRequested()
        let evolvedID = ContractRegistry.id(of: evolved)
        let contracts = try SchemaResolution.contractRegistry(topics: SagaTopics())
        #expect(contracts.entry(id: evolvedID) == nil, "the evolved schema's id must not be a contract's")
        let external = try ContractRegistry(schemas: [evolved])

        let port = try FreePort.find()
        var registry = try await ExternalRegistry.start(external, port: port)
        #expect(try await httpGet(port: port, "/schemas/ids/\(evolvedID)").status == 200)

        let directory = ConfluentSystemTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let system = try await ConfluentSystemTests.start(
            wireFormat: "single-object", directory: directory, environment: ["SAGA_SCHEMA_REGISTRY_URL": "http://127.0.0.1:\(port)"])
        let store = try #require(system.system.components.orchestratorStore)
        let topic = system.topics.transferRequested
        let deadLetters = DeadLetterRecord.topic(for: topic)
        #expect(try await Self.isEmpty(deadLetters, kafka: system.kafka))

        // The registry goes down before anything needed it.
        try await registry.stop()

        // A TransferRequested written with the evolved schema, Confluent-framed with its id.
        let transferID = UUID()
        let sagaID = transferID.uuidString.lowercased()
        var record = try StartEvent.transferRequested(
            transferID: transferID, payer: "alice@okbank", payee: "bob@okbank", amountMinor: 100, source: "registry-outage-test", topic: topic)
        #expect(record.value.starts(with: AvroSingleObject.marker))
        let body = Array(record.value.dropFirst(10))
        record.value = AvroConfluentWireFormat.header(schemaID: evolvedID) + body + [0x06] + Array("web".utf8)
        record.headers = record.headers.removing { $0 == SagaHeaders.contentType }
            + [SagaHeader(SagaHeaders.contentType, SagaContracts.confluentContentType)]
        #expect(record.headers.string(SagaHeaders.messageType) == TransferRequested.messageType)
        #expect(record.headers.string(SagaHeaders.sagaID) == sagaID)
        #expect(record.headers.string(SagaHeaders.messageID) != nil)
        #expect(record.key == Array(sagaID.utf8))
        let producer = try KafkaProducer(configuration: system.kafka, logger: Broker.logger)
        _ = try await producer.send(KafkaMessage(record))
        await producer.shutdown(timeout: .seconds(5))

        // While the registry is down: not ready, naming it; the record waits, neither processed nor dead-lettered.
        var notReady = ""
        try await eventually("/readyz to answer 503 naming the schema registry", within: 60) {
            let readiness = try await httpGet(port: system.port, "/readyz")
            guard readiness.status == 503 else { return false }
            notReady = readiness.body
            return true
        }
        print("GET /readyz while the registry is down -> 503 \(notReady)")
        #expect(notReady.contains("schema-registry"))
        #expect(notReady.contains("127.0.0.1"))
        #expect(try await store.load(sagaID: sagaID) == nil)
        #expect(try await Self.isEmpty(deadLetters, kafka: system.kafka))
        #expect(try await httpGet(port: system.port, "/readyz").status == 503)

        // The registry is back on the same port: the evolved record resolves against our reader schema.
        registry = try await ExternalRegistry.start(external, port: port)
        try await eventually("transfer saga \(sagaID) to end", within: 120) {
            try await store.load(sagaID: sagaID).map { $0.status.isTerminal || $0.status == .failed } ?? false
        }
        let saga = try #require(try await store.load(sagaID: sagaID))
        #expect(saga.status == .completed)
        let shown = try await httpGet(port: system.port, "/sagas/\(sagaID)")
        print("after the registry came back: saga \(sagaID) \(saga.status); GET /sagas/\(sagaID) -> \(shown.status) \(shown.body.prefix(240))")
        #expect(shown.status == 200 && shown.body.contains("\"completed\""))
        try await eventually("/readyz to answer 200 again", within: 60) {
            try await httpGet(port: system.port, "/readyz").status == 200
        }
        #expect(try await Self.isEmpty(deadLetters, kafka: system.kafka))

        try await system.stop()
        try await registry.stop()
    }
}
