import Foundation
import SagaCore
import SagaAvro
import SagaTestSupport
import Testing

/// A step whose outcome is uncertain (its last attempt timed out, or it failed retriably and
/// its retries ran out) may have taken effect: a compensatable one is compensated first, a
/// pivot parks the saga for a person.
@Suite struct UncertainStepTests {
    /// Fails the pending request of the current step `attempts` times, by timeout or by a retriable reply.
    static func exhaust(_ saga: inout SagaDriver, attempts: Int, byTimeout: Bool) throws {
        for attempt in 1...attempts {
            if byTimeout {
                _ = try saga.fireDeadline()
            } else {
                _ = try saga.reply(.retriableFailure, reason: "database busy")
            }
            if attempt < attempts { _ = try saga.fireDeadline() } // backoff over: resend
        }
    }

    /// The compensations sent after `index` in `saga.sent`, as actions.
    static func actions(_ saga: SagaDriver, after index: Int) -> [String] {
        saga.sent.dropFirst(index).compactMap { try? StepCommand.decodePayload($0.value).action }
    }

    @Test(arguments: [true, false])
    func aCompensatableStepWithAnUnknownOutcomeIsCompensatedFirst(byTimeout: Bool) throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed() // reserveStock
        let before = saga.sent.count
        try Self.exhaust(&saga, attempts: 3, byTimeout: byTimeout) // authorizeCard
        #expect(saga.state.status == .compensating)
        #expect(saga.state.uncertainStep == 1)
        #expect(saga.state.completedSteps == [0, 1])
        let compensating = try #require(saga.lifecycle.first { $0.kind == .compensating })
        #expect(compensating.compensations == ["authorizeCard", "reserveStock"])
        #expect(compensating.failureCode == (byTimeout ? "TIMEOUT" : "UNAVAILABLE"))
        #expect(saga.state.failureReason?.contains("its outcome is uncertain, so it is compensated too") == true)
        while saga.state.status == .compensating { try saga.succeed() }
        #expect(saga.state.status == .compensated)
        #expect(Self.actions(saga, after: before + 2) == ["void", "release"])
        #expect(saga.state.completedSteps.isEmpty && saga.state.uncertainStep == nil)
        // The history marks the compensation of the uncertain step, and only that one.
        let marks = saga.history.compactMap { change -> (String, Bool)? in
            guard case .started(_, _, .compensation, _, let name, _, _, let uncertain, _) = change else { return nil }
            return (name, uncertain)
        }
        #expect(marks.map(\.0) == ["authorizeCard", "reserveStock"])
        #expect(marks.map(\.1) == [true, false])
    }

    @Test func theFirstStepTimingOutIsCompensatedAlone() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try Self.exhaust(&saga, attempts: 3, byTimeout: true) // reserveStock
        #expect(saga.state.status == .compensating && saga.lastAction == "release")
        try saga.succeed()
        #expect(saga.state.status == .compensated)
        #expect(saga.actions == ["reserve", "reserve", "reserve", "release"])
    }

    @Test func aBusinessFailureDoesNotCompensateTheFailedStep() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        let before = saga.sent.count
        _ = try saga.reply(.businessFailure, reason: "card blocked") // authorizeCard: a definite no
        #expect(saga.state.uncertainStep == nil)
        while saga.state.status == .compensating { try saga.succeed() }
        #expect(saga.state.status == .compensated)
        #expect(Self.actions(saga, after: before) == ["release"])
    }

    @Test func aTimeoutThenABusinessFailureIsADefiniteNo() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        _ = try saga.fireDeadline() // authorizeCard times out once…
        _ = try saga.fireDeadline() // …is sent again…
        let before = saga.sent.count
        _ = try saga.reply(.businessFailure, reason: "card blocked") // …and refused: the last attempt decides
        while saga.state.status == .compensating { try saga.succeed() }
        #expect(Self.actions(saga, after: before) == ["release"])
    }

    @Test(arguments: [true, false])
    func aPivotWithAnUnknownOutcomeParksTheSaga(byTimeout: Bool) throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        try saga.succeed()
        let before = saga.sent.count
        try Self.exhaust(&saga, attempts: 3, byTimeout: byTimeout) // chargeCard
        #expect(saga.state.status == .failed)
        #expect(saga.state.phase == .forward && saga.state.stepIndex == 2)
        #expect(saga.sent.count == before + 2) // the two resends; no compensation
        #expect(saga.state.deadline == nil && saga.state.pendingRequestID == nil)
        let reason = try #require(saga.state.failureReason)
        #expect(reason.hasPrefix("pivot step 'chargeCard' has an uncertain outcome: "))
        #expect(reason.contains("after 3 attempts") && reason.contains("has no compensation"))
        let failed = try #require(saga.lifecycle.last)
        #expect(failed.kind == .failed && failed.failureCode == (byTimeout ? "TIMEOUT" : "UNAVAILABLE"))
        #expect(!saga.lifecycle.contains { $0.kind == .compensating })
    }

    @Test func aParkedPivotRetriedAndRefusedThenCompensates() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        try saga.succeed()
        try Self.exhaust(&saga, attempts: 3, byTimeout: true)
        #expect(saga.state.status == .failed)
        _ = try saga.apply(.retry) // the operator asks again: the participant now answers
        #expect(saga.state.status == .running && saga.lastAction == "charge" && saga.state.attempt == 1)
        _ = try saga.reply(.businessFailure, reason: "declined")
        while saga.state.status == .compensating { try saga.succeed() }
        #expect(saga.state.status == .compensated)
        #expect(saga.actions.suffix(2) == ["void", "release"])
    }

    @Test func aParkedPivotResolvedByHandGoesOn() throws {
        var saga = try SagaDriver(definition: Fixtures.orderSaga())
        try saga.succeed()
        try saga.succeed()
        try Self.exhaust(&saga, attempts: 3, byTimeout: true)
        _ = try saga.apply(.resolve(note: "charge confirmed with the acquirer"))
        #expect(saga.state.status == .running && saga.lastAction == "ship")
        try saga.succeed()
        #expect(saga.state.status == .completed)
    }
}
