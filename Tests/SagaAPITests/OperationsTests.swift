import Avro
import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import Prometheus
import SagaAPI
import SagaCore
import SagaSQLite
import SagaAvro
import SagaServicesTestSupport
import SagaTestSupport
import Testing

/// `/healthz`, `/readyz` and `/metrics`.
@Suite(.timeLimit(.minutes(1)))
struct OperationsTests {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "broker 127.0.0.1:1 unreachable" }
    }

    @Test func healthAndReadinessReportEveryCheck() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        let storeCheck = ReadinessCheck("saga-store") { _ = try await store.countByStatus() }
        let ready = APIRouterBuilder(authentication: TestTokens.authentication, operations: OperationsRoutes(checks: [storeCheck]))
        try await application(ready.router()).test(.router) { client in
            let health = try await client.get("/healthz")
            #expect(health.status == .ok && health.string("status") == "ok")
            let readiness = try await client.get("/readyz")
            #expect(readiness.status == .ok && readiness.string("status") == "ready", "\(readiness.text)")
            #expect(readiness.json?["checks"] == .array([.object([("name", .string("saga-store")), ("status", .string("pass"))])]))
            let metrics = try await client.get("/metrics")
            #expect(metrics.isProblem(.notFound, type: .noRoute), "no registry, no /metrics")
        }

        let failing = APIRouterBuilder(authentication: TestTokens.authentication, operations: OperationsRoutes(
            checks: [storeCheck, ReadinessCheck("kafka") { throw Unreachable() },
                     ReadinessCheck("slow") { try await Task.sleep(for: .seconds(60)) }],
            // Long enough for the store read on a loaded machine, far short of the slow check's minute.
            checkTimeout: .seconds(3)))
        try await application(failing.router()).test(.router) { client in
            let readiness = try await client.get("/readyz")
            #expect(readiness.isProblem(.serviceUnavailable, type: .notReady), "\(readiness.text)")
            #expect(readiness.string("detail")?.contains("kafka (broker 127.0.0.1:1 unreachable)") == true, "\(readiness.text)")
            guard case .array(let checks)? = readiness.json?["checks"] else {
                Issue.record("no checks: \(readiness.text)")
                return
            }
            #expect(checks.map { $0["status"] } == [.string("pass"), .string("fail"), .string("fail")])
            #expect(checks[2]["detail"] == .string("did not finish within 3.0 seconds"))
            #expect((try await client.get("/healthz")).status == .ok, "alive while not ready")
        }
    }

    @Test func metricsServeTheRegistrysText() async throws {
        let registry = PrometheusCollectorRegistry()
        let counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "saga_started", unitName: "total", helpText: "Sagas started."),
            labels: [("saga_type", "transfer")])
        counter.increment(by: Int64(3))
        let builder = APIRouterBuilder(authentication: TestTokens.authentication, operations: OperationsRoutes(registry: registry))
        try await application(builder.router()).test(.router) { client in
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(metrics.text.contains("# TYPE saga_started_total counter"), "\(metrics.text)")
            #expect(metrics.text.contains(#"saga_started_total{saga_type="transfer"} 3"#), "\(metrics.text)")
        }
    }
}

/// The standard readiness checks against the real broker and real stores.
@Suite(.timeLimit(.minutes(1)))
struct StandardReadinessCheckTests {
    @Test func theStandardChecksPassOnLivePartsAndFailOnDeadOnes() async throws {
        let directory = try TemporaryDirectory()
        let topic = "readiness-\(UUID().uuidString.prefix(8))"
        let admin = try KafkaAdmin(configuration: try Broker.configuration(), logger: Broker.logger)
        try await admin.createTopics([KafkaTopicSpecification(name: topic)])
        var unreachable = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        unreachable.clientID = "readiness-test"
        let deadAdmin = try KafkaAdmin(configuration: unreachable, logger: Broker.logger)
        let checks = [
            ReadinessCheck.kafka(admin, topics: [topic]),
            ReadinessCheck.store("saga-store", try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))),
            ReadinessCheck.ledger(try IdempotencyLedger(path: directory.file("api.sqlite"))),
            ReadinessCheck.kafka(admin, topics: [topic, "no-such-topic-\(UUID().uuidString)"]),
            ReadinessCheck.kafka(deadAdmin, timeout: .milliseconds(500)),
        ]
        let results = await ReadinessCheck.run(checks, timeout: .seconds(5))
        #expect(results.map(\.name) == ["kafka", "saga-store", "idempotency-ledger", "kafka", "kafka"])
        #expect(results[0].failure == nil && results[1].failure == nil && results[2].failure == nil, "\(results)")
        #expect(results[3].failure?.hasPrefix("missing topics: no-such-topic-") == true, "\(results[3])")
        #expect(results[4].failure != nil)
    }
}
