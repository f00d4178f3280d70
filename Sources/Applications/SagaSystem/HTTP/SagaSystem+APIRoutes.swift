import AsyncHTTPClient
import SagaAPI
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
    /// The api role and `all` also serve `/registry` (the contracts as a read-only schema registry).
    /// Every role serves `/healthz`, `/readyz` (``readinessChecks``) and `/metrics` (``metricsRegistry``).
    ///
    /// - Throws: `Upstream.InvalidURL` for an api role whose upstream URL is not absolute http(s).
    public func apiRoutes() throws -> APIRouterBuilder {
        var builder = APIRouterBuilder(operations: OperationsRoutes(checks: readinessChecks, registry: metricsRegistry))
        let components = self.components
        if let orders = components.orders {
            builder.orders = LocalOrderPlacing(service: orders)
        } else if let url = settings.orderURL {
            builder.orders = RemoteOrderPlacing(upstream: try Upstream(name: "order", baseURL: url.absoluteString, client: .shared))
        }
        if let store = components.orchestratorStore {
            builder.sagas = LocalSagaQuerying(store: store)
        } else if let url = settings.orchestratorURL {
            builder.sagas = RemoteSagaQuerying(upstream: try Upstream(name: "orchestrator", baseURL: url.absoluteString, client: .shared))
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
        }
        return builder
    }
}
