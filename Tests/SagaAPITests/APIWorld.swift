import Foundation
import Hummingbird
import Kafka
import Prometheus
import SagaAPI
import SagaCore
import SagaServicesTestSupport
import SagaTestSupport

/// The saga system on the real broker (``SagaServicesWorld``, topics of one partition) with the
/// API over it in process, as the `all` role composes it.
struct APIWorld: Sendable {
    let services: SagaServicesWorld
    let ledger: IdempotencyLedger

    init() async throws {
        services = try await SagaServicesWorld(partitions: 1)
        ledger = try IdempotencyLedger(path: services.directory.file("api.sqlite"))
    }

    /// The `all` role's capabilities.
    var builder: APIRouterBuilder {
        APIRouterBuilder(
            authentication: TestTokens.authentication,
            orders: LocalOrderPlacing(service: services.orders),
            transfers: KafkaTransferRequester(producer: services.producer, topic: services.topics.transferRequested, ledger: ledger),
            bills: KafkaBillSettler(producer: services.producer, topic: services.topics.billSettlementRequested, ledger: ledger),
            sagas: LocalSagaQuerying(store: services.orchestratorStore)
        )
    }

    /// Runs `body` with the world, stopping it afterwards whatever happens.
    static func with<T: Sendable>(_ body: (APIWorld) async throws -> T) async throws -> T {
        let world = try await APIWorld()
        do {
            let result = try await body(world)
            await world.services.stop()
            return result
        } catch {
            await world.services.stop()
            throw error
        }
    }
}
