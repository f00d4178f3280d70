import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaSQLite
import SagaSystem
import SagaTestSupport
import ServiceKit
import Testing

/// The Grafana dashboard (deployments/grafana/dashboards) and the Prometheus rules
/// (deployments/prometheus) query only metrics a running saga-server exposes: a renamed metric
/// fails here, naming each panel or rule that reads it, instead of leaving an empty graph.
@Suite("Dashboard and alert queries read exposed metrics", .serialized)
struct MetricNamesTests {
    /// One PromQL expression of a deployment file and where it is.
    struct Query: CustomStringConvertible {
        var place: String
        var expression: String
        var names: [String] { PromQLMetricNames.names(in: expression) }
        var description: String { "\(place): \(expression)" }
    }

    /// Series Prometheus makes itself rather than scraping them.
    static let prometheusOwn: Set<String> = ["up", "scrape_duration_seconds", "scrape_samples_scraped"]
    /// Labels Prometheus adds to every scraped series (deployments/prometheus/prometheus.yml: `role`).
    static let targetLabels: Set<String> = ["job", "instance", "role"]

    @Test("metric names are what remains of a query without functions, matchers, ranges, grouping and numbers")
    func parsing() {
        #expect(PromQLMetricNames.names(in: #"histogram_quantile(0.95, sum by (le, step) (rate(a_bucket{outcome="x"}[$__rate_interval])))"#)
            == ["a_bucket"])
        #expect(PromQLMetricNames.names(in: "sum by (group, topic) (b) > 1000 and sum by (group) (deriv(b[10m])) > 0") == ["b"])
        #expect(PromQLMetricNames.names(in: #"up{job="saga-server"} == 0"#) == ["up"])
        #expect(PromQLMetricNames.names(in: "sum(rate(c_sum[5m])) without (instance) / on (x) group_left (y) sum(rate(c_count[5m]))")
            == ["c_sum", "c_count"])
        #expect(PromQLMetricNames.names(in: "max(d offset 1h) * 1e3") == ["d"])
        #expect(PromQLMetricNames.exposed(in: "# TYPE e histogram\ne_bucket{le=\"1\",step=\"a,b\"} 1\ne_count 1\nf 2\n")
            == ["e_bucket": ["le", "step"], "e_count": [], "f": []])
        #expect(PromQLMetricNames.labels(in: #"sum by (le, saga_type) (rate(a_bucket{outcome="x,y", step=~"s.*"}[5m])) / on (x) b"#)
            == ["le", "saga_type", "outcome", "step", "x"])
    }

    @Test("every query of the Grafana dashboard and of the Prometheus rules reads a metric saga-server exposes")
    func dashboardAndRulesReadExposedMetrics() async throws {
        let queries = try Self.dashboardQueries() + Self.ruleQueries()
        #expect(queries.count >= 15, "the dashboard and the rules were read: \(queries)")
        let defined = try Self.recordedNames()

        let deployment = try await SagaServerProcessTests.Deployment()
        defer { deployment.remove() }
        let server = try ServerProcess(
            "saga-server --role all (metrics)", environment: deployment.environment(role: .all, ["SAGA_SEED_DEMO_DATA": "true"])
        )
        defer { server.killIfRunning() }
        let port = try await server.port()
        try await eventually("/readyz to answer 200") { try await httpGet(port: port, "/readyz").status == 200 }

        // One saga to its end (counters, both histograms) and one dead letter (its counter and depth).
        let (payer, payee) = (DemoData.accounts[0], DemoData.accounts[1])
        let transfer = UUID()
        let producer = try KafkaProducer(configuration: deployment.kafka, logger: Broker.logger)
        _ = try await producer.send(KafkaMessage(try StartEvent.transferRequested(
            transferID: transfer, payer: payer.vpa, payee: payee.vpa, amountMinor: 100, source: "metric-names-test",
            topic: deployment.topics.transferRequested)))
        _ = try await producer.send(KafkaMessage(
            topic: deployment.topics.transferRequested, key: Array("poison".utf8), value: Array("not avro".utf8)))
        await producer.shutdown(timeout: .seconds(5))
        let sagas = try SQLiteSagaStore(path: deployment.directory.appendingPathComponent("orchestrator.sqlite").path)
        try await eventually("transfer \(transfer) to complete", within: 180) {
            try await sagas.load(sagaID: text(transfer))?.status == .completed
        }

        let needed = Set(queries.flatMap(\.names)).subtracting(Self.prometheusOwn).subtracting(defined)
        var exposed: [String: Set<String>] = [:]
        do {
            // The gauges are recorded at their intervals (consumer lag every 5 s, the dead-letter depth every 30 s).
            try await eventually("/metrics to expose \(needed.sorted())", within: 120) {
                exposed = PromQLMetricNames.exposed(in: try await httpGet(port: port, "/metrics", token: nil).body)
                return needed.isSubset(of: exposed.keys)
            }
        } catch {
            Issue.record("not every metric appeared (each query below says which): \(error)")
        }
        for query in queries {
            let missing = query.names.filter { exposed[$0] == nil && !Self.prometheusOwn.contains($0) && !defined.contains($0) }
            #expect(missing.isEmpty, "\(query.place) reads \(missing), which saga-server does not expose; query: \(query.expression)")
            // A label the query matches or groups on must be on one of the series it reads (or a target label).
            let carried = query.names.reduce(into: Self.targetLabels) { $0.formUnion(exposed[$1] ?? []) }
            let unknown = PromQLMetricNames.labels(in: query.expression).subtracting(carried)
            #expect(!missing.isEmpty || unknown.isEmpty,
                    "\(query.place) uses labels \(unknown.sorted()) that none of \(query.names) carries; query: \(query.expression)")
        }
        #expect(try await server.terminate(within: 30) == 0, "exit status after SIGTERM; output:\n\(server.text)")
    }

    // MARK: Reading the deployment files

    static var root: URL { DeploymentEnvironmentTests.root }

    /// Every target expression of every dashboard, with its dashboard and panel title.
    static func dashboardQueries() throws -> [Query] {
        let folder = root.appendingPathComponent("deployments/grafana/dashboards")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        var queries: [Query] = []
        for file in files {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file)))
            let dashboard = try #require(object as? [String: Any], "\(file) is a JSON object")
            let top = dashboard["panels"] as? [[String: Any]] ?? []
            for panel in top + top.flatMap({ $0["panels"] as? [[String: Any]] ?? [] }) {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    guard let expression = target["expr"] as? String else { continue }
                    queries.append(Query(place: "\(file) panel '\(panel["title"] as? String ?? "?")'", expression: expression))
                }
            }
        }
        return queries
    }

    /// Every `expr:` of the Prometheus rule files, with the alert or record it belongs to.
    static func ruleQueries() throws -> [Query] {
        try ruleFiles().flatMap { file, lines in
            var queries: [Query] = []
            var rule = "?"
            for (index, line) in lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "- ", with: "", options: .anchored)
                if trimmed.hasPrefix("alert:") || trimmed.hasPrefix("record:") {
                    rule = trimmed
                } else if trimmed.hasPrefix("expr:") {
                    var expression = String(trimmed.dropFirst("expr:".count)).trimmingCharacters(in: .whitespaces)
                    if expression.hasPrefix("|") || expression.hasPrefix(">") {  // a block: the more-indented lines below
                        let indent = line.prefix { $0 == " " }.count
                        expression = lines[(index + 1)...].prefix { $0.prefix { $0 == " " }.count > indent || $0.isEmpty }
                            .joined(separator: " ")
                    }
                    queries.append(Query(place: "deployments/prometheus/\(file) \(rule)", expression: expression))
                }
            }
            return queries
        }
    }

    /// Names the rule files define themselves (`record:`), which a query may read.
    static func recordedNames() throws -> Set<String> {
        Set(try ruleFiles().flatMap { _, lines in
            lines.compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "- ", with: "", options: .anchored)
                return trimmed.hasPrefix("record:") ? trimmed.dropFirst("record:".count).trimmingCharacters(in: .whitespaces) : nil
            }
        })
    }

    /// The rule files of deployments/prometheus (every YAML file but the scrape configuration), as lines.
    static func ruleFiles() throws -> [(String, [String])] {
        let folder = root.appendingPathComponent("deployments/prometheus")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { ($0.hasSuffix(".yml") || $0.hasSuffix(".yaml")) && $0 != "prometheus.yml" }.sorted()
            .map { file in
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                return (file, text.components(separatedBy: "\n"))
            }
    }
}
