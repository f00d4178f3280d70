import Foundation
import SagaCore
import SagaTestKit
import Testing

@Suite struct SagaScenarioTests {
    typealias Trip = TripSaga

    @Test func happyPathSendsEachCommandOnceAndCompletes() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        #expect(scenario.pendingStep == "bookHotel")
        #expect(try scenario.lastCommand(for: "bookHotel", as: Trip.BookHotel.self) == Trip.BookHotel(tripID: "trip-1", guest: "ada"))
        try scenario.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-1")))
        try scenario.reply(to: "chargeCard", with: .succeeded(Trip.CardCharged(chargeID: "c-1")))
        try scenario.reply(to: "sendItinerary", with: .succeeded)

        #expect(scenario.status == .completed)
        #expect(scenario.sentCommands.map(\.step) == ["bookHotel", "chargeCard", "sendItinerary"])
        #expect(scenario.sentCommands.map(\.topic) == ["hotel.commands", "payment.commands", "mail.commands"])
        #expect(scenario.sentCommands.allSatisfy { $0.phase == .forward && $0.attempt == 1 && $0.sagaID == scenario.state.sagaID })
        #expect(try scenario.lastCommand(for: "sendItinerary", as: Trip.SendItinerary.self)
            == Trip.SendItinerary(tripID: "trip-1", bookingID: "b-1", chargeID: "c-1"))
        #expect(scenario.completedSteps == ["bookHotel", "chargeCard", "sendItinerary"])
        #expect(scenario.compensations.isEmpty)
        #expect(scenario.lifecycleKinds == [.started, .stepCompleted, .stepCompleted, .stepCompleted, .completed])
        #expect(try scenario.data.bookingID == "b-1")
        #expect(try scenario.data.chargeID == "c-1")
        #expect(scenario.state.deadline == nil)
    }

    @Test func replyCarriesTheCommandsIDsAndEachCommandCarriesTheReplyAsCause() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data, sagaID: "trip-saga", causationID: "start-event")
        let booking = try scenario.lastCommand(for: "bookHotel")
        #expect(booking.message.headers.string(SagaHeaders.causationID) == "start-event")
        try scenario.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-1")))
        let reply = try #require(scenario.deliveredReplies.last)
        #expect(reply.causationID == booking.messageID)
        #expect(reply.sagaID == "trip-saga")
        #expect(try scenario.lastCommand(for: "chargeCard").message.headers.string(SagaHeaders.causationID) == reply.messageID)
    }

    @Test func refusedPivotCompensatesTheBooking() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        try scenario.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-1")))
        try scenario.reply(to: "chargeCard", with: .businessFailure(reason: "card declined"))
        #expect(scenario.status == .compensating)
        #expect(try scenario.lastCommand(for: "bookHotel", as: Trip.CancelHotel.self) == Trip.CancelHotel(bookingID: "b-1"))
        #expect(scenario.commands(for: "bookHotel", phase: .compensation).count == 1)
        try scenario.reply(to: "bookHotel", with: .succeeded)

        #expect(scenario.status == .compensated)
        #expect(scenario.failureReason == "step 'chargeCard' failed: card declined")
        #expect(scenario.compensations == ["bookHotel"])
        #expect(scenario.lifecycleKinds == [.started, .stepCompleted, .stepFailed, .compensating, .stepCompleted, .compensated])
    }

    @Test func timeoutIsRetriedAfterTheBackoffThenSucceeds() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        let start = scenario.now
        try scenario.timeOut("bookHotel")
        #expect(scenario.now == start.addingTimeInterval(5))
        #expect(scenario.state.deadlineKind == .retryBackoff)
        #expect(scenario.state.deadline == start.addingTimeInterval(6))
        try scenario.retryAfterBackoff("bookHotel")
        #expect(scenario.commands(for: "bookHotel").map(\.attempt) == [1, 2])
        try scenario.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-2")))
        #expect(scenario.pendingStep == "chargeCard")
        #expect(scenario.attempts.prefix(2).map(\.outcome) == [.timedOut, .succeeded])
    }

    @Test func advanceFiresEveryTimerThatFallsDue() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        // Attempts time out after 5 s, with backoffs of 1 s and 2 s in between: 5 + 1 + 5 + 2 + 5 = 18 s.
        let fired = try scenario.advance(by: .seconds(17))
        #expect(fired.count == 4)
        #expect(scenario.status == .running)
        #expect(scenario.commands(for: "bookHotel").map(\.attempt) == [1, 2, 3])
        try scenario.advance(by: .seconds(1))
        // Out of attempts with an uncertain outcome: the booking is cancelled as possibly made.
        #expect(scenario.status == .compensating)
        #expect(scenario.state.uncertainStep == 0)
        #expect(try scenario.lastCommand(for: "bookHotel", as: Trip.CancelHotel.self) == Trip.CancelHotel(bookingID: nil))
        #expect(scenario.attempts.last?.compensatesUncertainStep == true)
    }

    @Test func redeliveredReplyIsIgnored() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        try scenario.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-1")))
        let before = scenario.state
        let commandsBefore = scenario.sentCommands.count
        let again = try scenario.redeliverLastReply()
        #expect(again.ignored == .lateReply)
        #expect(again.commands.isEmpty && again.lifecycle.isEmpty)
        #expect(scenario.state == before)
        #expect(scenario.sentCommands.count == commandsBefore)
        #expect(scenario.lateReplies.count == 1)
        #expect(scenario.attempts.first?.lateReply?.status == .succeeded)
    }

    @Test func restartedScenarioContinuesFromTheStoredState() throws {
        var scenario = try SagaScenario(Trip.definition(), data: Trip.data)
        try scenario.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-1")))
        var restarted = try scenario.restarted(definition: Trip.definition())
        #expect(restarted.restarts == 1)
        #expect(restarted.state == scenario.state)
        try restarted.timeOut("chargeCard")
        try restarted.retryAfterBackoff("chargeCard")
        try restarted.reply(to: "chargeCard", with: .succeeded(Trip.CardCharged(chargeID: "c-1")))
        try restarted.reply(to: "sendItinerary", with: .succeeded)
        #expect(restarted.status == .completed)
        #expect(scenario.status == .running)  // a scenario is a value: the original did not move
    }

    @Test func resumingAStateWithoutRecordsAnswersItsPendingRequest() throws {
        var original = try SagaScenario(Trip.definition(), data: Trip.data)
        try original.reply(to: "bookHotel", with: .succeeded(Trip.HotelBooked(bookingID: "b-1")))
        var resumed = try SagaScenario<Trip.Data>(resuming: original.state, definition: Trip.definition(), at: original.now)
        #expect(resumed.sentCommands.isEmpty)
        try resumed.reply(to: "chargeCard", with: .succeeded(Trip.CardCharged(chargeID: "c-1")))
        #expect(resumed.pendingStep == "sendItinerary")
        #expect(throws: SagaScenarioError.noCommandSent(step: "bookHotel")) { try resumed.reply(to: "bookHotel", with: .succeeded) }
    }

    @Test func resumingUnderAnotherVersionIsRefused() throws {
        let original = try SagaScenario(Trip.definition(), data: Trip.data)
        let v2 = try SagaDefinition<Trip.Data>(name: "trip", version: 2, replyTopic: "trip.replies") {
            SagaStep<Trip.Data>.retriable("sendItinerary", topic: "mail.commands") { Trip.BookHotel(tripID: $0.tripID, guest: $0.guest) }
        }
        #expect(throws: SagaScenarioError.definitionMismatch(expected: "trip v1", actual: "trip v2")) {
            try original.restarted(definition: v2)
        }
    }
}
