import AsyncHTTPClient
import SagaAPI
import SagaAvro
import SagaCore
import SagaKafka
import SchemaRegistry

extension SagaSystem {
    /// The `SagaAPI` routes of this process's role:
    ///
    /// | role | `/orders` | `/transfers`, `/bills` | `/sagas` |
    /// |---|---|---|---|
    /// | `all` | in process | published here | in process |
    /// | `api` | forwarded to `SAGA_ORDER_URL` | published here | forwarded to `SAGA_ORCHESTRATOR_URL` |
    /// | `order` | in process | | |
    /// | `orchestrator` | | | in process |
    ///
    /// `/sagas/{id}/retry`, `/sagas/{id}/resolve`, `/audit` and `/dead-letters/…` go where `/sagas` goes
    /// (dead letters are read from and replayed to Kafka; their audit entries need the orchestrator's store).
    ///
    /// The api role and `all` also serve `/registry` (the contracts as a read-only schema registry)
    /// and the web console at `/console` (``ConsoleRoutes``, no token for its files).
    /// Every role serves `/healthz`, `/readyz` (``readinessChecks``) and `/metrics` (``metricsRegistry``);
    /// every other route needs a bearer token of ``SagaServerSettings/authentication`` (the api role
    /// forwards the caller's token to the role it forwards to, which checks it again).
    ///
    /// - Throws: `Upstream.InvalidURL` for an api role whose upstream URL is not absolute http(s).
    public func apiRoutes() throws -> APIRouterBuilder {
        var builder = APIRouterBuilder(authentication: settings.authentication, operations: OperationsRoutes(checks: readinessChecks, registry: metricsRegistry))
        let components = self.components
        if let orders = components.orders {
            builder.orders = LocalOrderPlacing(service: orders)
        } else if let url = settings.orderURL {
            builder.orders = RemoteOrderPlacing(upstream: try Upstream(name: "order", baseURL: url.absoluteString, client: .shared))
        }
        if let store = components.orchestratorStore, let orchestrator = components.orchestrator {
            builder.sagas = LocalSagaQuerying(store: store)
            builder.operating = LocalSagaOperating(orchestrator: orchestrator, trail: store, auditTopic: settings.topics.audit, logger: logger)
            if let producer = components.producer {
                let schemas = self.schemas
                builder.deadLetters = KafkaDeadLetterOperating(
                    queue: DeadLetterQueue(configuration: settings.kafka, logger: logger), admin: admin,
                    publisher: DeadLetterPublisher(producer: producer, outgoing: { schemas.outgoing($0) }),
                    codec: AvroValueCodec(schemas: schemas.contracts.byID.values.map(\.schema), confluentID: { schemas.contractID(of: $0) }),
                    trail: store, auditTopic: settings.topics.audit, sourceTopics: deadLetterSources, afterRecording: { await orchestrator.outboxDoorbell.ring() }, logger: logger)
            }
        } else if let url = settings.orchestratorURL {
            let upstream = try Upstream(name: "orchestrator", baseURL: url.absoluteString, client: .shared)
            builder.sagas = RemoteSagaQuerying(upstream: upstream)
            builder.operating = RemoteSagaOperating(upstream: upstream)
            builder.deadLetters = RemoteDeadLetterOperating(upstream: upstream)
        }
        if let producer = components.producer, let ledger = components.idempotencyLedger {
            let schemas = self.schemas
            builder.transfers = KafkaTransferRequester(
                producer: producer, topic: settings.topics.transferRequested, ledger: ledger, outgoing: { schemas.outgoing($0) }
            )
            builder.bills = KafkaBillSettler(
                producer: producer, topic: settings.topics.billSettlementRequested, ledger: ledger, outgoing: { schemas.outgoing($0) }
            )
        }
        if settings.role == .api || settings.role == .all {
            builder.registry = RegistryRoutes(registry: ContractRegistryRoutes(registry: schemas.contracts))
            let console = ConsoleRoutes()
            if let problem = console.loadError { logger.warning("the web console is not served: \(problem)") }
            builder.console = console
        }
        return builder
    }
}
