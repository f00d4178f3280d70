import Avro
import Foundation
import SagaContracts
import SagaCore
import SagaAvro
import SagaTestSupport
import Testing

extension ReserveStock: SagaPayloadCodable {}

@Suite struct AvroLifecycleTests {
    let sagaID = UUID().uuidString.lowercased()

    /// Runs a saga that fails at the pivot and compensates, collecting its lifecycle events.
    private func events() throws -> [SagaLifecycleEvent] {
        var saga = try SagaDriver(definition: Fixtures.orderSaga(), sagaID: sagaID)
        try saga.succeed()
        try saga.succeed()
        _ = try saga.reply(.retriableFailure, reason: "busy")
        _ = try saga.fireDeadline()
        _ = try saga.reply(.businessFailure, reason: "declined")
        while saga.state.status == .compensating { try saga.succeed() }
        return saga.lifecycle
    }

    @Test func everyLifecycleEventEncodesAsItsContractRecord() throws {
        let encoder = SagaLifecycleAvroEncoder(source: "orders-orchestrator")
        let events = try events()
        let encoded = try events.map { try encoder.encode($0) }
        #expect(encoded.map(\.messageType) == [
            "com.swiftsaga.saga.SagaStarted", "com.swiftsaga.saga.SagaStepCompleted", "com.swiftsaga.saga.SagaStepCompleted",
            "com.swiftsaga.saga.SagaStepFailed", "com.swiftsaga.saga.SagaStepFailed", "com.swiftsaga.saga.SagaCompensating",
            "com.swiftsaga.saga.SagaStepCompleted", "com.swiftsaga.saga.SagaStepCompleted", "com.swiftsaga.saga.SagaCompensated",
        ])
        #expect(encoded.allSatisfy { Array($0.payload.prefix(2)) == AvroSingleObject.marker })
        let started = try SagaStarted.decodePayload(encoded[0].payload)
        #expect(started.metadata.sagaId == UUID(uuidString: sagaID))
        #expect(started.metadata.messageId == UUID(uuidString: events[0].eventID))
        #expect(started.metadata.source == "orders-orchestrator" && started.sagaType == "order")
        let retrying = try SagaStepFailed.decodePayload(encoded[3].payload)
        #expect(retrying.step == "chargeCard" && retrying.willRetry && retrying.retryAt != nil)
        #expect(retrying.outcome == .retriableFailure && retrying.failure.code == "UNAVAILABLE" && retrying.failure.message == "busy")
        let refused = try SagaStepFailed.decodePayload(encoded[4].payload)
        #expect(refused.outcome == .businessFailure && !refused.willRetry && refused.retryAt == nil && refused.attempt == 2)
        let compensating = try SagaCompensating.decodePayload(encoded[5].payload)
        #expect(compensating.failedStep == "chargeCard" && compensating.compensations == ["authorizeCard", "reserveStock"])
        #expect(compensating.failure.code == "BUSINESS_FAILURE")
        let compensated = try SagaCompensated.decodePayload(encoded[8].payload)
        #expect(compensated.failure.message == "step 'chargeCard' failed: declined")
        #expect(abs(compensated.startedAt.timeIntervalSince(events[0].sagaStartedAt)) < 0.001)
    }

    @Test func sagaIDsThatAreNotUUIDsAreRefusedClearly() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga(), sagaID: "order-42")
        try saga.succeed()
        #expect(throws: SagaLifecycleAvroEncoder.EncodingError.notAUUID(field: "sagaID", value: "order-42")) {
            try SagaLifecycleAvroEncoder().encode(saga.lifecycle[0])
        }
    }

    @Test func generatedTypesAreSagaPayloads() throws {
        let metadata = MessageMetadata(messageId: UUID(), sagaId: UUID(), causationId: nil, occurredAt: Date(timeIntervalSince1970: 1),
            source: "test", traceParent: nil, replyTo: "saga.order.replies")
        let command = ReserveStock(metadata: metadata, orderId: UUID(), items: [])
        let bytes = try command.encodePayload()
        #expect(ReserveStock.messageType == "com.swiftsaga.order.ReserveStock")
        #expect(try ReserveStock.decodePayload(bytes) == command)
        #expect(throws: AvroDecodingError.self) { try ReserveStock.decodePayload([0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0]) }
    }
}
