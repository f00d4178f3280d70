import SagaCore
import SagaTestKit
import Testing

/// The example of docs/saga-engine.md, "Testing your saga with SagaTestKit", as written there.
@Suite struct DocumentationExampleTests {
    @Test func aDeclinedChargeCancelsTheHotel() throws {
        var trip = try SagaScenario(TripSaga.definition(), data: TripSaga.data)

        try trip.reply(to: "bookHotel", with: .succeeded(TripSaga.HotelBooked(bookingID: "b-1")))
        try trip.reply(to: "chargeCard", with: .businessFailure(reason: "card declined"))
        #expect(try trip.lastCommand(for: "bookHotel", as: TripSaga.CancelHotel.self) == TripSaga.CancelHotel(bookingID: "b-1"))
        #expect(try trip.redeliverLastReply().ignored == .lateReply)   // a redelivered reply changes nothing
        try trip.timeOut("bookHotel")                                  // the cancellation is not answered in time…
        try trip.advance(by: .seconds(1))                              // …so it is sent again after its backoff
        try trip.reply(to: "bookHotel", with: .succeeded)

        #expect(trip.status == .compensated)
        #expect(trip.failureReason == "step 'chargeCard' failed: card declined")
        #expect(trip.compensations == ["bookHotel"])
        #expect(trip.sentCommands.map(\.step) == ["bookHotel", "chargeCard", "bookHotel", "bookHotel"])
        #expect(trip.lifecycleKinds.last == .compensated)
    }
}
