import Foundation
import Prometheus
import Kafka
import OrderService
import SagaCore
import SagaKafka
import SagaSystem
import SagaTestSupport
import ServiceKit
import ServiceLifecycle
import Synchronization
import Testing

/// The `all` role in-process, as `sagactl dev` runs it: an order placed through the order
/// service's component completes end to end, routes added through the route closure are served,
/// and a triggered graceful shutdown ends the group. Its relays run at the tightest limits (one
/// row per batch, one batch in flight: `SAGA_RELAY_BATCH_SIZE`, `SAGA_RELAY_BATCHES_IN_FLIGHT`),
/// which every consuming service is given.
@Suite(.serialized) struct InProcessSystemTests {
    @Test func allRolesInProcessCompleteAnOrderServeAddedRoutesAndShutDown() async throws {
        let kafka = try Broker.configuration()
        let prefix = "inp\(UUID().uuidString.prefix(8).lowercased())."
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saga-inprocess-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = try SagaServerSettings(environment: [
            "SAGA_ROLE": "all", "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrapServers.joined(separator: ","), "KAFKA_FETCH_WAIT_MAX_MS": Broker.fetchWaitSetting,
            "SAGA_DATA_DIR": directory.path, "SAGA_TOPIC_PREFIX": prefix, "SAGA_CONSUMER_GROUP_PREFIX": prefix,
            "SAGA_HTTP_HOST": "127.0.0.1", "SAGA_HTTP_PORT": "0", "SAGA_SEED_DEMO_DATA": "true",
            "SAGA_AUTH_TOKENS": SystemTokens.entries, "SAGA_RELAY_BATCH_SIZE": "1", "SAGA_RELAY_BATCHES_IN_FLIGHT": "1",
        ])
        settings.kafka.sessionTimeout = kafka.sessionTimeout
        try await TopicProvisioner(kafka: settings.kafka, topics: settings.topics, partitions: 2, logger: Broker.logger).createTopics()
        let system = try await SagaSystem(settings: settings, metrics: PrometheusCollectorRegistry(), logger: Broker.logger)
        let tightest = OutboxRelayLimits(batchSize: 1, batchesInFlight: 1)
        let relayLimits: [OutboxRelayLimits?] = system.consumingServices().compactMap { named in
            switch named.service {
            case let service as SagaOrchestratorService: service.relayLimits
            case let service as SagaParticipantService<ServiceStore>: service.relayLimits
            default: nil
            }
        }
        #expect(relayLimits.count == 6, "the orchestrator and five participants")
        #expect(relayLimits.allSatisfy { $0 == tightest })
        let port = Mutex<Int?>(nil)
        let group = try system.serviceGroup(
            gracefulShutdownSignals: [],
            addRoutes: { router, components in
                router.get("/demo/products") { _, _ in "\(components.inventory == nil ? 0 : DemoData.products.count)" }
            },
            onListening: { _, bound in port.withLock { $0 = bound } }
        )
        let running = Task { try await group.run() }
        try await eventually("the HTTP server to listen") { port.withLock { $0 } != nil }
        let bound = try #require(port.withLock { $0 })
        try await eventually("/readyz to answer 200") { try await httpGet(port: bound, "/readyz").status == 200 }
        #expect(try await httpGet(port: bound, "/demo/products").body == "\(DemoData.products.count)")

        let orders = try #require(system.components.orders)
        let store = try #require(system.components.orchestratorStore)
        let product = DemoData.products[0]
        let orderID = UUID()
        let placed = try await orders.placeOrder(
            orderID: orderID, customerID: DemoData.customers[0],
            lines: [OrderLine(productID: product.productID, sku: product.sku, quantity: 2, unitPriceMinor: product.unitPriceMinor)],
            currency: DemoData.currency, paymentToken: "tok_visa"
        )
        #expect(placed == .placed)
        try await eventually("order saga \(orderID) to end", within: 120) {
            try await store.load(sagaID: text(orderID)).map { $0.status.isTerminal || $0.status == .failed } ?? false
        }
        #expect(try await store.load(sagaID: text(orderID))?.status == .completed)
        #expect(try await orders.order(orderID)?.status == "CONFIRMED")
        #expect(try await system.components.inventory?.available(product.productID) == product.stock - 2)
        // The composed HTTP server serves the role's SagaAPI routes: the saga, and the metrics it moved.
        let saga = try await httpGet(port: bound, "/sagas/\(text(orderID))")
        #expect(saga.status == 200)
        #expect(saga.body.contains("\"completed\""))
        let metrics = try await httpGet(port: bound, "/metrics")
        #expect(metrics.status == 200)

        await group.triggerGracefulShutdown()
        try await running.value
    }
}
