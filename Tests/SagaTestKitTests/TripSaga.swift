import SagaCore

/// The kit's own tiny saga: book a hotel (undone by cancelling it), charge the card (the pivot),
/// send the itinerary (retried until it succeeds).
enum TripSaga {
    struct Data: JSONPayload, Hashable {
        var tripID: String
        var guest: String
        var amount: Int
        var bookingID: String?
        var chargeID: String?
    }

    struct BookHotel: JSONPayload, Hashable { var tripID: String; var guest: String }
    struct HotelBooked: JSONPayload, Hashable { var bookingID: String }
    struct CancelHotel: JSONPayload, Hashable { var bookingID: String? }
    struct ChargeCard: JSONPayload, Hashable { var tripID: String; var amount: Int }
    struct CardCharged: JSONPayload, Hashable { var chargeID: String }
    struct SendItinerary: JSONPayload, Hashable { var tripID: String; var bookingID: String; var chargeID: String }

    static let data = Data(tripID: "trip-1", guest: "ada", amount: 420)

    static func definition(retry: RetryPolicy = .exponential(maxAttempts: 3, initial: .seconds(1), jitter: 0)) throws
        -> SagaDefinition<Data>
    {
        try SagaDefinition<Data>(name: "trip", version: 1, replyTopic: "trip.replies") {
            SagaStep<Data>.compensatable("bookHotel", topic: "hotel.commands") { BookHotel(tripID: $0.tripID, guest: $0.guest) }
                .onReply { reply, data in
                    if reply.status == .succeeded { data.bookingID = try reply.decode(HotelBooked.self).bookingID }
                    return reply.defaultInterpretation
                }
                .timeout(.seconds(5)).retry(retry)
                .compensate(topic: "hotel.commands", timeout: .seconds(5), retry: .exponential(maxAttempts: 2, initial: .seconds(1), jitter: 0)) {
                    CancelHotel(bookingID: $0.bookingID)
                }
            SagaStep<Data>.pivot("chargeCard", topic: "payment.commands") { ChargeCard(tripID: $0.tripID, amount: $0.amount) }
                .onReply { reply, data in
                    if reply.status == .succeeded { data.chargeID = try reply.decode(CardCharged.self).chargeID }
                    return reply.defaultInterpretation
                }
                .timeout(.seconds(5)).retry(retry)
            SagaStep<Data>.retriable("sendItinerary", topic: "mail.commands") {
                SendItinerary(tripID: $0.tripID, bookingID: $0.bookingID ?? "", chargeID: $0.chargeID ?? "")
            }
            .timeout(.seconds(5)).retry(retry)
        }
    }
}
