import Avro
import Foundation
import Kafka
import OrderService
import Prometheus
import SagaAPI
import SagaCore
import SagaKafka
import SagaSQLite
import SagaAvro
import SagaContracts
import SchemaRegistry
import SagaServicesTestSupport
import SagaTestSupport
import Testing
import Yams

/// `docs/openapi.yaml` describes exactly the routes the router registers.
@Suite struct OpenAPIDocumentTests {
    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/openapi.yaml")

    /// The document's operations as `METHOD /path`, and the document.
    static func operations() throws -> (Set<String>, [String: Any]) {
        let text = try String(contentsOf: documentURL, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        var operations: Set<String> = []
        for (path, item) in paths {
            let methods = try #require(item as? [String: Any])
            for method in methods.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return (operations, document)
    }

    @Test func theDocumentListsEveryRouteTheRouterRegisters() async throws {
        let directory = try TemporaryDirectory()
        let orders = try await OrderService(path: directory.file("orders.sqlite"))
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"]), logger: Broker.logger)
        let store = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        let builder = APIRouterBuilder(
            authentication: TestTokens.authentication,
            orders: LocalOrderPlacing(service: orders),
            transfers: KafkaTransferRequester(producer: producer, ledger: try IdempotencyLedger(path: directory.file("api.sqlite"))),
            bills: KafkaBillSettler(producer: producer, ledger: try IdempotencyLedger(path: directory.file("api.sqlite"))),
            sagas: LocalSagaQuerying(store: store),
            operating: LocalSagaOperating(
                orchestrator: SagaOrchestrator(registry: try SagaRegistry(definitions: [Fixtures.orderSaga()]), store: store,
                    lifecycleEncoder: JSONLifecycleEncoder()),
                trail: store, auditTopic: nil),
            operations: OperationsRoutes(registry: PrometheusCollectorRegistry()),
            registry: RegistryRoutes(registry: ContractRegistryRoutes(registry: try ContractRegistry(
                schemas: AvroGeneratedTypes.all.map { $0.avroSchema }, topics: SagaTopics().messageTypes))),
            deadLetters: KafkaDeadLetterOperating(
                queue: DeadLetterQueue(configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"]), logger: Broker.logger),
                admin: try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"]), logger: Broker.logger),
                publisher: DeadLetterPublisher(producer: producer), codec: AvroValueCodec(schemas: []), trail: store, auditTopic: nil),
            console: ConsoleRoutes()
        )
        _ = builder.router()
        let (documented, document) = try Self.operations()
        #expect(document["openapi"] as? String == "3.1.0")
        #expect(Set(builder.routes.map(\.description)) == documented)
        #expect(builder.routes.count == 15 + DeadLetterRoutes.routes.count + ContractRegistryRoutes.operations.count)
        await producer.shutdown(timeout: .seconds(1))
    }

    @Test func everyErrorResponseIsAProblem() throws {
        let (_, document) = try Self.operations()
        let components = try #require(document["components"] as? [String: Any])
        let sharedResponses = try #require(components["responses"] as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        var checked = 0
        for (path, item) in paths {
            for (method, operation) in try #require(item as? [String: Any]) {
                let responses = try #require((operation as? [String: Any])?["responses"] as? [String: Any])
                for (code, response) in responses where (Int(code) ?? 0) >= 400 {
                    var resolved = try #require(response as? [String: Any])
                    if let reference = resolved["$ref"] as? String {
                        resolved = try #require(sharedResponses[String(reference.split(separator: "/").last ?? "")] as? [String: Any])
                    }
                    let content = try #require(resolved["content"] as? [String: Any], "\(method) \(path) \(code)")
                    #expect(Array(content.keys) == ["application/problem+json"], "\(method) \(path) \(code)")
                    checked += 1
                }
            }
        }
        #expect(checked > 20)
    }

    @Test func everyProblemKindIsDocumented() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        for kind in Problem.Kind.allCases {
            #expect(text.contains(kind.rawValue), "\(kind)")
        }
    }

    @Test func theRequestExamplesAreAcceptedAndTheBadOnesRefused() throws {
        let (_, document) = try Self.operations()
        let paths = try #require(document["paths"] as? [String: Any])
        func example(_ path: String, _ name: String) throws -> JSONValue {
            let post = try #require((paths[path] as? [String: Any])?["post"] as? [String: Any])
            let content = try #require((post["requestBody"] as? [String: Any])?["content"] as? [String: Any])
            let examples = try #require((content["application/json"] as? [String: Any])?["examples"] as? [String: Any])
            let value = try #require((examples[name] as? [String: Any])?["value"])
            return try JSONValue(parsing: Array(try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])))
        }
        let order = try PlaceOrderRequest(json: try example("/orders", "order"))
        #expect(order.lines.count == 1 && order.currency == "INR")
        let transfer = try TransferRequest(json: try example("/transfers", "transfer"))
        #expect(transfer.payer.value == "asha@okbank" && transfer.amountMinor == 25_000)
        let bill = try BillSettlementRequest(json: try example("/bills/{billId}/settlement", "bill"))
        #expect(bill.owner.value == "asha@okbank" && bill.shares.map(\.amountMinor) == [1_500, 2_500])
        // The documented 400 example of a bill is what a repeated payer and a zero amount give.
        var badBill = bill
        badBill.shares += [bill.shares[0], BillSettlementRequest.Share(payer: bill.shares[1].payer, amountMinor: 0)]
        badBill.shares.remove(at: 1)
        let billProblem = #expect(throws: Problem.self) { try BillSettlementRequest(json: badBill.json) }
        #expect(billProblem?.errors.map(\.field) == ["shares[1].payerVpa", "shares[2].amountMinor"])
        // The documented 400 example is what a zero quantity and a missing currency give.
        var invalid = order.json
        if case .object(var members) = invalid {
            members.removeAll { $0.key == "currency" }
            members = members.map { $0.key == "items" ? ("items", .array([.object([
                ("productId", .string(UUID().uuidString)), ("sku", .string("TSHIRT-M")), ("quantity", .integer(0)),
                ("unitPriceMinor", .integer(49_900)),
            ])])) : $0 }
            invalid = .object(members)
        }
        let problem = #expect(throws: Problem.self) { try PlaceOrderRequest(json: invalid) }
        #expect(problem?.errors.map(\.field) == ["currency", "items[0].quantity"])
        #expect(problem?.detail == "2 fields are invalid")
    }
}
