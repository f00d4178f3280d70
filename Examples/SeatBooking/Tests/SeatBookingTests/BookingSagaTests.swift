import SagaCore
import SagaTestKit
import SeatBooking
import Testing

/// The booking saga on the pure state machine, with SagaTestKit: no broker, no database. The
/// venue's own handler answers, through the commands the saga sent.
@Suite struct BookingSagaTests {
    let booking = Booking(bookingID: "b-1", seat: "12A", priceMinor: 45_000)

    @Test func aDeclinedCardReleasesTheHeldSeat() throws {
        var saga = try SagaScenario(BookingSaga.registration(topics: BookingSaga.Topics()), data: booking)

        try saga.reply(to: "holdSeat", with: .succeeded(SeatHold(holdID: "hold-b-1")))
        try saga.reply(to: "chargeCard", with: .businessFailure(reason: "card declined"))
        let release = try saga.lastCommand(for: "holdSeat", as: SeatCommand.self)
        try saga.reply(to: "holdSeat", with: .succeeded)

        #expect(release.action == "release" && release.holdID == "hold-b-1")
        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["holdSeat"])
        #expect(try saga.data.holdID == "hold-b-1")
    }

    @Test func aHoldThatIsNeverAnsweredIsReleasedAsPossiblyMade() throws {
        var saga = try SagaScenario(BookingSaga.registration(topics: BookingSaga.Topics()), data: booking)

        // Each attempt's reply timeout (30 s) passes, then its backoff; after the step's last
        // attempt the hold may have been made, so it is released first.
        for _ in 0..<20 where saga.status == .running { _ = try saga.advance(by: .seconds(31)) }
        #expect(saga.status == .compensating)
        #expect(try saga.lastCommand(for: "holdSeat", as: SeatCommand.self).action == "release")
    }
}
