import Foundation
import SagaCore
import SagaAvro
import SagaTestSupport
import Testing

@Suite struct SagaStateMachineTests {
    @Test func happyPathRunsEveryStepInOrderAndCompletes() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        #expect(saga.state.status == .running)
        #expect(saga.lastCommand?.topic == "inventory.commands")
        for _ in 0..<4 { try saga.succeed() }
        #expect(saga.state.status == .completed)
        #expect(saga.actions == ["reserve", "authorize", "charge", "ship"])
        #expect(saga.sent.map(\.topic) == ["inventory.commands", "payments.commands", "payments.commands", "shipping.commands"])
        #expect(saga.state.deadline == nil && saga.state.pendingRequestID == nil)
        #expect(saga.lifecycle.map(\.kind) == [.started] + Array(repeating: .stepCompleted, count: 4) + [.completed])
        #expect(saga.lifecycle.compactMap(\.step) == Fixtures.stepNames)
        #expect(saga.state.completedSteps == [0, 1])
    }

    @Test func commandsCarryTheEnvelopeHeaders() throws {
        let saga = try SagaDriver(definition: Fixtures.orderSaga())
        let command = try #require(saga.lastCommand)
        #expect(command.key == Array("saga-1".utf8))
        #expect(command.messageID == SagaState.requestID(sagaID: "saga-1", sequence: 1))
        #expect(command.messageID?.count == 36)
        #expect(command.headers.string(SagaHeaders.causationID) == "start-1")
        #expect(command.headers.string(SagaHeaders.attempt) == "1")
        #expect(command.headers.string(SagaHeaders.replyTo) == Fixtures.replyTopic)
        #expect(command.headers.string(SagaHeaders.sagaType) == "order")
        #expect(command.headers.string(SagaHeaders.step) == "reserveStock")
        #expect(command.headers.string(SagaHeaders.messageType) == "StepCommand")
        #expect(command.headers.string(SagaHeaders.idempotencyKey) == "saga-1:forward:reserveStock")
        #expect(saga.state.deadline == saga.now.addingTimeInterval(5))
        #expect(saga.state.deadlineKind == .replyTimeout)
    }

    @Test func replyInterpreterUpdatesDataUsedByCompensation() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        #expect(try OrderData.decodePayload(saga.state.data).reservationID == "r-saga-1")
        _ = try saga.reply(.businessFailure, reason: "card declined")
        let release = try StepCommand.decodePayload(try #require(saga.lastCommand).value)
        #expect(release == StepCommand(action: "release", orderID: "o-1", reservationID: "r-saga-1"))
    }

    /// A business failure at each position before and at the pivot undoes exactly the steps
    /// completed before it, newest first.
    @Test(arguments: [
        (0, [String]()),
        (1, ["release"]),
        (2, ["void", "release"]),
    ])
    func businessFailureCompensatesCompletedStepsInReverse(position: Int, expectedUndo: [String]) throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        for _ in 0..<position { try saga.succeed() }
        let before = saga.sent.count
        _ = try saga.reply(.businessFailure, reason: "refused")
        while saga.state.status == .compensating { try saga.succeed() }
        #expect(saga.state.status == .compensated)
        #expect(saga.sent.dropFirst(before).compactMap { try? StepCommand.decodePayload($0.value).action } == expectedUndo)
        #expect(saga.state.failureReason == "step '\(Fixtures.stepNames[position])' failed: refused")
        #expect(saga.state.completedSteps.isEmpty)
        let kinds = saga.lifecycle.map(\.kind)
        #expect(kinds.last == .compensated)
        #expect(kinds.contains(.stepFailed) && kinds.contains(.compensating))
    }

    @Test func businessFailureAfterThePivotParksInsteadOfCompensating() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        for _ in 0..<3 { try saga.succeed() }
        let before = saga.sent.count
        _ = try saga.reply(.businessFailure, reason: "address unknown")
        #expect(saga.state.status == .failed)
        #expect(saga.sent.count == before)
        #expect(saga.state.failureReason == "step 'shipOrder' after the pivot failed: address unknown")
        #expect(saga.lifecycle.last?.kind == .failed)
        #expect(saga.state.deadline == nil)
    }

    @Test func retriableFailureBacksOffThenResendsWithANewCorrelation() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        let first = try #require(saga.state.pendingRequestID)
        let failedAt = saga.now
        _ = try saga.reply(.retriableFailure, reason: "db busy")
        #expect(saga.state.deadlineKind == .retryBackoff)
        #expect(saga.state.deadline == failedAt.addingTimeInterval(0.2))
        #expect(saga.state.pendingRequestID == nil)
        #expect(saga.sent.count == 1)
        _ = try saga.fireDeadline()
        #expect(saga.sent.count == 2 && saga.lastAction == "reserve")
        #expect(saga.state.attempt == 2)
        #expect(saga.state.pendingRequestID != first)
        try saga.succeed()
        #expect(saga.state.stepIndex == 1 && saga.state.status == .running)
    }

    @Test func timeoutsAreRetriedThenCompensateTheUncertainStepFirst() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        // authorizeCard: 3 attempts, each times out.
        for attempt in 1...3 {
            #expect(saga.state.attempt == attempt && saga.lastAction == "authorize")
            _ = try saga.fireDeadline() // reply timeout
            if attempt < 3 {
                #expect(saga.state.deadlineKind == .retryBackoff)
                _ = try saga.fireDeadline() // backoff over: resend
            }
        }
        #expect(saga.state.status == .compensating)
        #expect(saga.lastAction == "void") // the timed-out authorization may have happened: undone first
        #expect(saga.state.failureReason?.contains("no reply within") == true)
        #expect(saga.state.failureReason?.contains("after 3 attempts") == true)
        try saga.succeed()
        #expect(saga.lastAction == "release")
        try saga.succeed()
        #expect(saga.state.status == .compensated)
        let outcomes = saga.history.compactMap { change -> StepOutcome? in
            if case .finished(_, let outcome, _, _) = change { return outcome }
            return nil
        }
        #expect(outcomes == [.succeeded, .timedOut, .timedOut, .timedOut, .succeeded, .succeeded])
    }

    @Test func lateReplyAfterTimeoutIsRecordedAndIgnored() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        let timedOut = try #require(saga.state.pendingRequestID)
        _ = try saga.fireDeadline()
        _ = try saga.fireDeadline()
        let stateBefore = saga.state
        let t = try saga.reply(.succeeded, to: timedOut, payload: TestReservation(reservationID: "late"))
        #expect(t.ignored == .lateReply)
        #expect(!t.changedState && t.commands.isEmpty && t.lifecycle.isEmpty)
        #expect(saga.state == stateBefore)
        guard case .lateReply(let request, .succeeded, "reply-1", _) = try #require(t.history.first) else {
            Issue.record("expected a late-reply history row, got \(t.history)")
            return
        }
        #expect(request == timedOut)
    }

    @Test func duplicateReplyHasNoSecondEffect() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        try saga.succeed()
        let answered = SagaState.requestID(sagaID: "saga-1", sequence: 2)
        let stateBefore = saga.state
        let t = try saga.reply(.succeeded, to: answered)
        #expect(t.ignored == .lateReply && t.commands.isEmpty)
        #expect(saga.state == stateBefore)
    }

    @Test func deadlineThatIsNotDueIsIgnored() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        let t = try saga.apply(.deadlineReached)
        #expect(t.ignored == .deadlineNotDue)
        #expect(saga.sent.count == 1)
    }

    @Test func compensationIsRetriedThenParksAndCanBeRetriedByAnOperator() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        _ = try saga.reply(.businessFailure, reason: "no card")
        #expect(saga.lastAction == "release")
        _ = try saga.reply(.businessFailure, reason: "release refused") // compensation failures are retried
        #expect(saga.state.deadlineKind == .retryBackoff)
        _ = try saga.fireDeadline()
        _ = try saga.fireDeadline() // the second attempt times out: budget of 2 spent
        #expect(saga.state.status == .failed)
        #expect(saga.state.phase == .compensation)
        #expect(saga.state.failureReason?.hasPrefix("compensation of step 'reserveStock' failed: no reply within") == true)
        #expect(saga.lifecycle.last?.kind == .failed)
        // Replies for a parked saga are recorded, not acted on.
        #expect(try saga.reply(.succeeded, to: SagaState.requestID(sagaID: "saga-1", sequence: 3)).ignored == .lateReply)
        #expect(try saga.apply(.resolve(note: "x")).changedState)
        #expect(saga.state.status == .compensated)
    }

    @Test func operatorRetryOfAParkedSagaResendsWithAFreshBudget() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        for _ in 0..<3 { try saga.succeed() }
        _ = try saga.reply(.businessFailure, reason: "address unknown")
        #expect(saga.state.status == .failed)
        let t = try saga.apply(.retry)
        #expect(t.commands.count == 1 && saga.lastAction == "ship")
        #expect(saga.state.status == .running && saga.state.attempt == 1)
        try saga.succeed()
        #expect(saga.state.status == .completed)
        #expect(try saga.apply(.retry).ignored == .notParked(.completed))
    }

    @Test func operatorResolveMarksTheStuckStepDoneAndContinues() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        for _ in 0..<3 { try saga.succeed() }
        _ = try saga.reply(.businessFailure, reason: "address unknown")
        try saga.apply(.resolve(note: "shipped by hand"))
        #expect(saga.state.status == .completed)
        #expect(saga.history.contains { change in
            if case .finished(_, .manuallyResolved, "shipped by hand", _) = change { return true }
            return false
        })
    }

    @Test func retriableStepAfterPivotParksWhenRetriesRunOut() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        for _ in 0..<3 { try saga.succeed() }
        for attempt in 1...4 {
            _ = try saga.reply(.retriableFailure, reason: "carrier down")
            if attempt < 4 { _ = try saga.fireDeadline() }
        }
        #expect(saga.state.status == .failed)
        #expect(saga.state.failureReason == "step 'shipOrder' after the pivot failed: carrier down (after 4 attempts)")
        #expect(saga.actions == ["reserve", "authorize", "charge", "ship", "ship", "ship", "ship"])
    }

    @Test func commandThatCannotBeBuiltParksTheSaga() throws {
        var saga = try SagaDriver(
            definition: Fixtures.orderSaga(), data: OrderData(orderID: "o", amount: 1, failCommandBuild: true)
        )
        for _ in 0..<3 { try saga.succeed() }
        #expect(saga.state.status == .failed)
        #expect(saga.state.failureReason?.hasPrefix("cannot build the command of step 'shipOrder'") == true)
    }

    @Test func undecodableReplyPayloadIsRejectedWithoutChangingTheSaga() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        let stateBefore = saga.state
        // reserveStock expects a TestReservation payload on success.
        #expect(throws: SagaTransitionError.self) { _ = try saga.reply(.succeeded) }
        #expect(saga.state == stateBefore)
    }

    @Test func sagaStartedUnderOneVersionFinishesUnderIt() throws {
        let v1 = try Fixtures.orderSaga(version: 1)
        let v2 = try SagaDefinition<OrderData>(name: "order", version: 2, replyTopic: Fixtures.replyTopic) {
            SagaStep.pivot("chargeOnly", topic: "payments.commands", command: Fixtures.command("charge-v2"))
        }
        let registry = try SagaRegistry(definitions: [v1, v2])
        var saga = try SagaDriver(definition: try #require(registry.definition("order", version: 1)))
        try saga.succeed()
        // A new process resolves the definition from the stored version, not the latest.
        let resumed = try #require(registry.definition(saga.state.sagaType, version: saga.state.definitionVersion))
        #expect(resumed.version == 1 && registry.latest("order")?.version == 2)
        var continued = try saga.restarted(definition: resumed)
        for _ in 0..<3 { try continued.succeed() }
        #expect(continued.state.status == .completed)
        #expect(continued.actions == ["reserve", "authorize", "charge", "ship"])
    }
}

@Suite struct LifecycleEventTests {
    @Test func failedAttemptsSayWhetherAndWhenTheyRetry() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        let failedAt = saga.now
        _ = try saga.reply(.retriableFailure, reason: "busy")
        let failed = try #require(saga.lifecycle.last)
        #expect(failed.kind == .stepFailed && failed.willRetry && failed.attempt == 1)
        #expect(failed.outcome == .retriableFailure && failed.retryAt == failedAt.addingTimeInterval(0.2))
        #expect(failed.causationID == "reply-1")
        _ = try saga.fireDeadline()
        _ = try saga.reply(.businessFailure, reason: "out of stock")
        let final = saga.lifecycle.suffix(3).map(\.kind)
        #expect(final == [.stepFailed, .compensating, .compensated])
        #expect(saga.lifecycle.suffix(3).first?.willRetry == false)
    }

    @Test func eventsCarryDurationsCompensationPlanAndFailureCodes() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        let started = saga.now
        saga.now = started.addingTimeInterval(0.25)
        try saga.succeed()
        let completed = try #require(saga.lifecycle.last)
        #expect(completed.kind == .stepCompleted && completed.stepDurationMilliseconds == 250)
        #expect(completed.sagaStartedAt == started)
        try saga.succeed()
        _ = try saga.fireDeadline()                      // chargeCard times out once…
        #expect(saga.lifecycle.last?.failureCode == "TIMEOUT")
        _ = try saga.fireDeadline()                      // …is sent again…
        _ = try saga.reply(.businessFailure, reason: "declined") // …and refused
        let compensating = try #require(saga.lifecycle.first { $0.kind == .compensating })
        #expect(compensating.compensations == ["authorizeCard", "reserveStock"])
        #expect(compensating.step == "chargeCard" && compensating.failureCode == "BUSINESS_FAILURE")
        while saga.state.status == .compensating { try saga.succeed() }
        #expect(saga.lifecycle.last?.kind == .compensated)
    }

    @Test func eventIDsAreUniqueStableUUIDs() throws {
        var first = try SagaDriver(definition: Fixtures.orderSaga())
        var second = try SagaDriver(definition: Fixtures.orderSaga())
        for _ in 0..<4 {
            try first.succeed()
            try second.succeed()
        }
        let ids = first.lifecycle.map(\.eventID)
        #expect(ids == second.lifecycle.map(\.eventID))
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 36 })
        #expect(DeterministicUUID.make("a") != DeterministicUUID.make("b"))
        #expect(DeterministicUUID.make("a") == DeterministicUUID.make("a"))
        let uuid = DeterministicUUID.make("saga-1/request/1")
        #expect(Array(uuid)[14] == "8")
        #expect("89ab".contains(Array(uuid)[19]))
        // The ids of messages already written must not change with a new version of the engine:
        // a transition replayed after an upgrade must emit the ids consumers have deduplicated on.
        #expect(uuid == "e3a60299-6895-89c1-bc97-6b2a03ceaf03")
    }
}
