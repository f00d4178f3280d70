import Foundation
import SagaCore
import SagaTestKit
import Testing

@Suite struct SagaScenarioOperatorTests {
    typealias Trip = TripSaga

    /// A declined charge whose cancellation is refused twice: the saga parks.
    func parkedOnCancellation() throws -> SagaScenario<Trip.Data> {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        try scenario.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-1")))
        try scenario.reply(to: "chargeCard", with: .businessFailure(reason: "card declined"))
        try scenario.reply(to: "bookHotel", with: .retriableFailure(reason: "hotel system down"))
        try scenario.retryAfterBackoff("bookHotel")
        try scenario.reply(to: "bookHotel", with: .retriableFailure(reason: "hotel system down"))
        return scenario
    }

    @Test func compensationFailingForGoodParksTheSaga() throws {
        let scenario = try parkedOnCancellation()
        #expect(scenario.status == .failed)
        #expect(scenario.failureReason == "compensation of step 'bookHotel' failed: hotel system down (after 2 attempts)")
        #expect(scenario.state.deadline == nil)
        #expect(scenario.lifecycleKinds.last == .failed)
    }

    @Test func operatorRetrySendsTheCompensationAgain() throws {
        var scenario = try parkedOnCancellation()
        try scenario.retry()
        #expect(scenario.status == .compensating)
        #expect(scenario.commands(for: "bookHotel", phase: .compensation).map(\.attempt) == [1, 2, 1])
        try scenario.reply(to: "bookHotel", with: .succeeded)
        #expect(scenario.status == .compensated)
        #expect(scenario.compensations == ["bookHotel"])
    }

    @Test func operatorResolveRecordsTheCompensationAsDoneByHand() throws {
        var scenario = try parkedOnCancellation()
        try scenario.resolve(note: "cancelled by phone")
        #expect(scenario.status == .compensated)
        #expect(scenario.compensations == ["bookHotel"])
        #expect(scenario.attempts.last?.outcome == .manuallyResolved)
        #expect(scenario.attempts.last?.error == "cancelled by phone")
    }

    @Test func operatorCommandsOnARunningSagaAreIgnored() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        #expect(try scenario.retry().ignored == .notParked(.running))
        #expect(try scenario.resolve(note: "no").ignored == .notParked(.running))
        #expect(scenario.sentCommands.count == 1)
    }

    @Test func seededRandomnessGivesTheSameJitterEveryRun() throws {
        let jittered = RetryPolicy.exponential(maxAttempts: 3, initial: .seconds(10), jitter: 1)
        func backoffDeadline(seed: UInt64) throws -> Date? {
            var scenario = try SagaScenario(Trip.definition(retry: jittered), data: Trip.data, random: .seeded(seed))
            try scenario.reply(to: "bookHotel", with: .retriableFailure(reason: "busy"))
            return scenario.state.deadline
        }
        #expect(try backoffDeadline(seed: 7) == backoffDeadline(seed: 7))
        #expect(try backoffDeadline(seed: 7) != backoffDeadline(seed: 8))
        var fixed = try SagaScenario(Trip.definition(retry: jittered), data: Trip.data, random: .fixed(0.5))
        try fixed.reply(to: "bookHotel", with: .retriableFailure(reason: "busy"))
        #expect(fixed.state.deadline == SagaScenario<Trip.Data>.defaultStart.addingTimeInterval(5))
    }

    @Test func participantRepliesAreDeliveredAsTheyWouldTravel() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        let command = try scenario.lastCommand(for: "bookHotel").participantCommand()
        #expect(command.step == "bookHotel" && command.attempt == 1 && command.replyTo == "trip.replies")
        let booked = try command.decode(Trip.BookHotel.self)
        try scenario.reply(to: "bookHotel", with: .participant(.succeeded(Trip.HotelBooked(bookingID: "b-\(booked.guest)"))))
        #expect(try scenario.data.bookingID == "b-ada")
    }

    @Test func misuseIsReportedWithTheStepConcerned() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        #expect(throws: SagaScenarioError.noCommandSent(step: "chargeCard")) { try scenario.reply(to: "chargeCard", with: .succeeded) }
        #expect(throws: SagaScenarioError.notPending(step: "chargeCard", pending: "bookHotel")) { try scenario.timeOut("chargeCard") }
        #expect(throws: SagaScenarioError.unexpectedDeadline(expected: .retryBackoff, actual: .replyTimeout)) {
            try scenario.retryAfterBackoff("bookHotel")
        }
        #expect(throws: SagaScenarioError.noReplyDelivered) { try scenario.redeliverLastReply() }
    }

    @Test func advanceToDeadlineFiresWhicheverTimerIsSet() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        try scenario.reply(to: "bookHotel", with: .retriableFailure(reason: "busy"))
        #expect(scenario.state.deadlineKind == .retryBackoff)
        try scenario.advanceToDeadline()
        #expect(scenario.state.deadlineKind == .replyTimeout)
        #expect(scenario.commands(for: "bookHotel").map(\.attempt) == [1, 2])
        #expect(scenario.now == SagaScenario<Trip.Data>.defaultStart.addingTimeInterval(1))
        try scenario.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-1")))
        try scenario.reply(to: "chargeCard", with: .succeeded(Trip.CardCharged(chargeID: "c-1")))
        try scenario.reply(to: "sendItinerary", with: .succeeded)
        #expect(throws: SagaScenarioError.noDeadline) { try scenario.advanceToDeadline() }
        #expect(try scenario.advance(by: .seconds(3600)).isEmpty)
    }

    @Test func startsFromARegistration() throws {
        let registration = try SagaRegistration(definitions: [Trip.definition()])
        let scenario = try SagaScenario(registration, data: Trip.data)
        #expect(scenario.definition.name == "trip")
        #expect(scenario.pendingStep == "bookHotel")
    }
}
