import Foundation
import SagaCore
import SagaTestSupport
import Testing

/// Steps that send nothing in one direction: compensation-only steps (actions of undoing, such
/// as cancelling an order) and compensatable steps with nothing to undo (a validation).
@Suite struct CompensationOnlyStepTests {
    static func saga() throws -> SagaDefinition<OrderData> {
        try SagaDefinition<OrderData>(name: "order", version: 1, replyTopic: "order.replies") {
            SagaStep<OrderData>.onCompensation("notifyCancelled")
                .compensate(topic: "notification.commands", command: Fixtures.command("notify"))
            SagaStep<OrderData>.onCompensation("cancelOrder")
                .compensate(topic: "order.commands", command: Fixtures.command("cancel"))
            SagaStep<OrderData>.compensatable("validate", topic: "inventory.commands", command: Fixtures.command("validate"))
                .withoutCompensation()
            SagaStep<OrderData>.compensatable("reserveStock", topic: "inventory.commands", command: Fixtures.command("reserve"))
                .compensate(topic: "inventory.commands", command: Fixtures.command("release"))
            SagaStep<OrderData>.pivot("chargeCard", topic: "payments.commands", command: Fixtures.command("charge"))
        }
    }

    @Test func compensationOnlyStepsSendNothingGoingForward() throws {
        var saga = try SagaDriver(definition: Self.saga())
        #expect(saga.actions == ["validate"])
        #expect(saga.state.stepIndex == 2 && saga.state.completedSteps == [0, 1])
        try saga.succeed()
        try saga.succeed()
        try saga.succeed()
        #expect(saga.state.status == .completed)
        #expect(saga.actions == ["validate", "reserve", "charge"])
    }

    @Test func failureAtThePivotRunsTheUndoActionsNewestFirstAndSkipsTheValidation() throws {
        var saga = try SagaDriver(definition: Self.saga())
        try saga.succeed() // validate
        try saga.succeed() // reserve
        _ = try saga.reply(.businessFailure, reason: "declined")
        while saga.state.status == .compensating { try saga.succeed() }
        #expect(saga.state.status == .compensated)
        #expect(saga.actions == ["validate", "reserve", "charge", "release", "cancel", "notify"])
    }

    @Test func failureAtTheFirstRealStepStillCancelsAndNotifies() throws {
        var saga = try SagaDriver(definition: Self.saga())
        _ = try saga.reply(.businessFailure, reason: "invalid")
        while saga.state.status == .compensating { try saga.succeed() }
        #expect(saga.state.status == .compensated)
        #expect(saga.actions == ["validate", "cancel", "notify"])
    }
}
