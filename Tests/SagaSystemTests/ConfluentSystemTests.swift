import Avro
import Foundation
import Kafka
import OrderService
import Prometheus
import SagaAvro
import SagaContracts
import SagaCore
import SagaSystem
import SchemaRegistry
import SagaTestSupport
import ServiceKit
import ServiceLifecycle
import Subprocess
import Synchronization
import Testing

/// The `all` role in process on the test broker, with producers using confluent-kafka's own
/// Python serializers against the system's `/registry`: a Confluent-framed `TransferRequested`
/// (and an `OrderPlaced`) starts a saga that completes; an unknown schema id and a `content-type` that disagrees with
/// the bytes are dead-lettered saying why; with `SAGA_WIRE_FORMAT=confluent` the lifecycle
/// events on `saga.events` are read by confluent-kafka's `AvroDeserializer`.
///
/// One system at a time (each starts the `all` role and a Python process).
@Suite(.serialized) struct ConfluentSystemTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("Tests/SagaSystemTests/Python/confluent_system.py")
    static let transferSchema = root.appendingPathComponent("schemas/com.swiftsaga.transfer.TransferRequested.avsc").path
    static let orderSchema = root.appendingPathComponent("schemas/com.swiftsaga.order.OrderPlaced.avsc").path

    struct ScriptFailed: Error, CustomStringConvertible { var description: String }

    /// Runs the script with confluent-kafka on the path and returns its JSON output.
    static func python(_ arguments: [String]) async throws -> [String: Any] {
        let deps = root.appendingPathComponent(".deps")
        let path = [deps.appendingPathComponent("python").path, deps.appendingPathComponent("python-registry").path].joined(separator: ":")
        let result = try await Subprocess.run(
            .name("python3"), arguments: Arguments([script.path] + arguments),
            environment: .inherit.updating(["PYTHONPATH": path, "SAGA_TOKEN": SystemTokens.producer.token]),
            output: .string(limit: 16 << 20), error: .string(limit: 16 << 20)
        )
        let output = result.standardOutput
        guard result.terminationStatus.isSuccess else {
            throw ScriptFailed(description: "confluent_system.py \(arguments.first ?? "") failed (\(result.terminationStatus)): \(result.standardError)")
        }
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
        return try #require(object as? [String: Any])
    }

    /// A running `all` system on its own topics.
    struct RunningSystem {
        let system: SagaSystem
        let group: ServiceGroup
        let running: Task<Void, any Error>
        let port: Int
        let kafka: KafkaConfiguration
        var topics: SagaTopics { system.settings.topics }
        var bootstrap: String { kafka.bootstrapServers.joined(separator: ",") }
        var registryURL: String { "http://127.0.0.1:\(port)/registry" }

        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await running.value
        }
    }

    /// Starts the `all` role; `environment` adds settings (or overrides the defaults here).
    static func start(wireFormat: String, directory: URL, environment: [String: String] = [:]) async throws -> RunningSystem {
        let kafka = try Broker.configuration()
        let prefix = "cfl\(UUID().uuidString.prefix(8).lowercased())."
        var settings = try SagaServerSettings(environment: [
            "SAGA_ROLE": "all", "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrapServers.joined(separator: ","), "KAFKA_FETCH_WAIT_MAX_MS": Broker.fetchWaitSetting,
            "SAGA_DATA_DIR": directory.path, "SAGA_TOPIC_PREFIX": prefix, "SAGA_CONSUMER_GROUP_PREFIX": prefix,
            "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0", "SAGA_SEED_DEMO_DATA": "true", "SAGA_WIRE_FORMAT": wireFormat,
            "SAGA_AUTH_TOKENS": SystemTokens.entries,
        ].merging(environment) { _, given in given })
        settings.kafka.sessionTimeout = kafka.sessionTimeout
        try await TopicProvisioner(kafka: settings.kafka, topics: settings.topics, partitions: 2, logger: Broker.logger).createTopics()
        let system = try await SagaSystem(settings: settings, metrics: PrometheusCollectorRegistry(), logger: Broker.logger)
        let port = Mutex<Int?>(nil)
        let group = try system.serviceGroup(gracefulShutdownSignals: [], onListening: { _, bound in port.withLock { $0 = bound } })
        let running = Task { try await group.run() }
        try await eventually("the HTTP server to listen") { port.withLock { $0 } != nil }
        let bound = try #require(port.withLock { $0 })
        try await eventually("/readyz to answer 200") { try await httpGet(port: bound, "/readyz").status == 200 }
        return RunningSystem(system: system, group: group, running: running, port: bound, kafka: settings.kafka)
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("saga-confluent-\(UUID().uuidString)")
    }

    @Test func aConfluentSerializedTransferFromPythonCompletesAndBadValuesAreDeadLetteredSayingWhy() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let system = try await Self.start(wireFormat: "single-object", directory: directory)
        let topic = system.topics.transferRequested
        let store = try #require(system.system.components.orchestratorStore)

        // confluent-kafka's AvroSerializer looks the schema up at our /registry and frames the value with its id.
        let produced = try await Self.python(["produce-transfer", system.bootstrap, topic, system.registryURL, Self.transferSchema])
        let sagaID = try #require(produced["sagaId"] as? String)
        let schemaID = try #require(produced["schemaId"] as? Int)
        print("confluent-kafka produced \(produced)")
        #expect((produced["header"] as? String)?.hasPrefix("00") == true)
        #expect(Int32(schemaID) == ContractRegistry.id(of: TransferRequested.avroSchema))
        try await eventually("transfer saga \(sagaID) to end", within: 120) {
            try await store.load(sagaID: sagaID).map { $0.status.isTerminal || $0.status == .failed } ?? false
        }
        #expect(try await store.load(sagaID: sagaID)?.status == .completed)
        let saga = try await httpGet(port: system.port, "/sagas/\(sagaID)")
        print("GET /sagas/\(sagaID) -> \(saga.status) \(saga.body.prefix(240))")
        #expect(saga.status == 200 && saga.body.contains("\"completed\""))

        // A Confluent value whose schema id no registry knows: dead-lettered naming the id.
        let producer = try KafkaProducer(configuration: system.kafka, logger: Broker.logger)
        let unknownID = UUID()
        let value = AvroConfluentWireFormat.header(schemaID: 424_242) + [0x02, 0x04]
        _ = try await producer.send(KafkaMessage(topic: topic, key: Array(unknownID.uuidString.lowercased().utf8), value: value, headers: [
            KafkaHeader(name: SagaHeaders.messageType, value: TransferRequested.messageType),
            KafkaHeader(name: SagaHeaders.messageID, value: unknownID.uuidString.lowercased()),
            KafkaHeader(name: SagaHeaders.sagaID, value: unknownID.uuidString.lowercased()),
            KafkaHeader(name: SagaHeaders.contentType, value: AvroWireFormat.confluent.contentType),
        ]))
        // A single-object value whose content-type says confluent: dead-lettered saying why.
        let mismatchID = UUID()
        var mismatched = try StartEvent.transferRequested(
            transferID: mismatchID, payer: "alice@okbank", payee: "bob@okbank", amountMinor: 100, source: "test", topic: topic)
        #expect(mismatched.value.starts(with: AvroSingleObject.marker))
        mismatched.headers = mismatched.headers.removing { $0 == SagaHeaders.contentType }
            + [SagaHeader(SagaHeaders.contentType, AvroWireFormat.confluent.contentType)]
        _ = try await producer.send(KafkaMessage(mismatched))
        await producer.shutdown(timeout: .seconds(5))

        let letters = try await readRecords(of: topic + ".dlq", kafka: system.kafka) { records in
            Set(records.compactMap { $0.headers.string(SagaHeaders.sagaID) }).isSuperset(of: [unknownID, mismatchID].map { $0.uuidString.lowercased() })
        }
        let unknown = try #require(letters.first { $0.headers.string(SagaHeaders.sagaID) == unknownID.uuidString.lowercased() })
        let unknownReason = try #require(unknown.headers.string(DeadLetterHeaders.exceptionMessage))
        print("dead letter (unknown id): \(unknownReason)")
        #expect(unknownReason.contains("unknown schema id 424242"))
        #expect(unknown.headers.string(DeadLetterHeaders.errorKind) == "undecodable")
        let mismatch = try #require(letters.first { $0.headers.string(SagaHeaders.sagaID) == mismatchID.uuidString.lowercased() })
        let mismatchReason = try #require(mismatch.headers.string(DeadLetterHeaders.exceptionMessage))
        print("dead letter (content-type): \(mismatchReason)")
        #expect(mismatchReason.contains("the header says confluent but the value's bytes are single-object"))
        #expect(try await store.load(sagaID: mismatchID.uuidString.lowercased()) == nil)
        try await system.stop()
    }

    /// A shop that writes its orders through our order service's table and publishes `OrderPlaced`
    /// with Confluent's serializer: the order saga reserves, charges, confirms and notifies.
    @Test func aConfluentSerializedOrderPlacedFromPythonCompletesTheOrderSaga() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let system = try await Self.start(wireFormat: "single-object", directory: directory)
        let store = try #require(system.system.components.orchestratorStore)
        let orders = try #require(system.system.components.orders)
        let product = DemoData.products[0]
        let orderID = UUID()
        let customerID = DemoData.customers[0]
        let line = OrderLine(productID: product.productID, sku: product.sku, quantity: 1, unitPriceMinor: product.unitPriceMinor)
        let inserted = try await orders.store.write("test") { db in
            try OrderStore.insert(orderID: orderID, customerID: customerID, lines: [line], currency: DemoData.currency,
                paymentToken: "tok_visa", in: db)
        }
        #expect(inserted)

        let produced = try await Self.python([
            "produce-order", system.bootstrap, system.topics.orderPlaced, system.registryURL, Self.orderSchema,
            text(orderID), text(customerID), text(product.productID), product.sku, "1", String(product.unitPriceMinor),
        ])
        print("confluent-kafka produced an OrderPlaced \(produced)")
        #expect((produced["header"] as? String)?.hasPrefix("00") == true)
        #expect((produced["schemaId"] as? Int).map(Int32.init) == ContractRegistry.id(of: OrderPlaced.avroSchema))
        let sagaID = text(orderID)
        try await eventually("order saga \(sagaID) to end", within: 120) {
            try await store.load(sagaID: sagaID).map { $0.status.isTerminal || $0.status == .failed } ?? false
        }
        #expect(try await store.load(sagaID: sagaID)?.status == .completed)
        #expect(try await orders.order(orderID)?.status == "CONFIRMED")
        try await system.stop()
    }

    @Test func inConfluentModeConfluentKafkasDeserializerReadsTheLifecycleEvents() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let system = try await Self.start(wireFormat: "confluent", directory: directory)
        #expect(system.system.schemas.wireFormat == .confluent)
        let store = try #require(system.system.components.orchestratorStore)
        let produced = try await Self.python(["produce-transfer", system.bootstrap, system.topics.transferRequested, system.registryURL, Self.transferSchema])
        let sagaID = try #require(produced["sagaId"] as? String)
        try await eventually("transfer saga \(sagaID) to end", within: 120) {
            try await store.load(sagaID: sagaID).map { $0.status.isTerminal || $0.status == .failed } ?? false
        }
        #expect(try await store.load(sagaID: sagaID)?.status == .completed)
        let read = try await Self.python(["read-events", system.bootstrap, system.topics.events, system.registryURL, sagaID, "60"])
        let events = try #require(read["events"] as? [[String: Any]])
        print("AvroDeserializer read \(events.count) lifecycle event(s); last: \(events.last.map { "\($0)" } ?? "none")")
        #expect(events.count >= 2)
        for event in events {
            #expect((event["header"] as? String)?.hasPrefix("00") == true)
            #expect(event["contentType"] as? String == AvroWireFormat.confluent.contentType)
        }
        #expect(events.first?["messageType"] as? String == SagaStarted.messageType)
        #expect(events.last?["messageType"] as? String == SagaCompleted.messageType)
        let started = try #require(events.first?["value"] as? [String: Any])
        #expect(started["sagaType"] as? String == "transfer")
        try await system.stop()
    }
}
