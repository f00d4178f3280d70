import Foundation
import SagaCore
@testable import SagaKafka
import SagaTestSupport
import Testing

/// The retention of finished sagas through the real broker: what the housekeeping removes leaves
/// a tombstone, and a late second start of the same saga id (past the inbox's week, or sent again
/// under another message id) is refused through it instead of running the saga again.
@Suite(.timeLimit(.minutes(3)))
struct RetentionTests {
    @Test func aRemovedFinishedSagaIsNotRunAgainByALateSecondStart() async throws {
        let world = try await SagaWorld()
        try await world.placeOrder("once", messageID: "start-once")
        #expect(try await world.waitFor("once").status == .completed)
        let ledger = try await world.ledger("once")
        #expect(ledger == ["reserve", "authorize", "charge", "ship"])

        let log = CapturedLog()
        #expect(await KafkaServiceRunner.removeFinishedSagas(store: world.orchestratorStore, olderThan: .zero, logger: log.logger) == 1)
        #expect(log.messages == ["removed finished sagas past their retention, kept their tombstones sagas=1"])
        #expect(try await world.orchestratorStore.load(sagaID: "once") == nil)
        #expect(try await world.orchestratorStore.history(sagaID: "once").isEmpty)

        try await world.placeOrder("once", messageID: "start-once-again")
        try await eventually("the second start consumed") {
            try await world.orchestratorStore.isProcessed(consumer: world.orchestrator.consumerName, messageID: "start-once-again")
        }
        #expect(try await world.orchestratorStore.load(sagaID: "once") == nil, "the saga ran again")
        #expect(try await world.orchestratorStore.tombstone(sagaID: "once")?.status == .completed)
        #expect(try await world.orchestratorStore.pendingOutbox(limit: 100).allSatisfy { $0.message.key != Array("once".utf8) })
        #expect(try await world.ledger("once") == ledger)
        await world.stop()
    }
}
