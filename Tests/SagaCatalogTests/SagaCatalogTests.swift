import BillSettlement
import SagaCatalog
import SagaContracts
import SagaCore
import Testing

@Suite struct SagaCatalogTests {
    @Test func theRegistrationsUseExactlyTheContractsTopics() throws {
        let topics = SagaTopics(prefix: "p.")
        let options = SagaCatalog.Options(topics: topics)
        #expect(try SagaCatalog.topics(options) == topics.all.sorted())
    }

    @Test func eachShippedSagaIsRegisteredOnceWithItsTrigger() throws {
        let topics = SagaTopics()
        let registrations = try SagaCatalog.registrations(SagaCatalog.Options(topics: topics))
        #expect(registrations.map(\.sagaType) == [OrderSaga.sagaType, TransferSaga.sagaType, BillSettlementSaga.sagaType])
        let registry = try SagaRegistry(registrations)
        #expect(registry.triggers.map(\.topic).sorted() == [topics.billSettlementRequested, topics.orderPlaced, topics.transferRequested])
        #expect(registry.consumedTopics == [
            topics.orderPlaced, topics.orderReplies, topics.transferRequested, topics.transferReplies,
            topics.billSettlementRequested, topics.billReplies,
        ].sorted())
    }

    @Test func aSecondSagaOnOneStartTopicIsRefused() throws {
        let options = SagaCatalog.Options()
        var registry = try SagaRegistry([OrderSaga.registration(options)])
        let clash = try SagaRegistration(
            definitions: [TransferSaga.definition(topics: options.topics)],
            trigger: SagaTrigger(topic: options.topics.orderPlaced, sagaType: TransferSaga.sagaType) { _ in ("", []) }
        )
        #expect(throws: SagaRegistryError.sharedStartTopic(options.topics.orderPlaced, OrderSaga.sagaType, TransferSaga.sagaType)) {
            try registry.register(clash)
        }
    }
}
