import SagaCore

/// The booking saga's data: who books which seat for how much, and what the steps returned.
public struct Booking: JSONPayload, Equatable {
    /// The booking (also the saga id).
    public var bookingID: String
    /// The seat.
    public var seat: String
    /// The price in minor units.
    public var priceMinor: Int64
    /// The hold the venue gave, once it did.
    public var holdID: String?

    /// A new booking.
    public init(bookingID: String, seat: String, priceMinor: Int64) {
        self.bookingID = bookingID
        self.seat = seat
        self.priceMinor = priceMinor
    }
}

/// The commands of the saga, one type for brevity: `hold`, `release` or `charge`.
public struct SeatCommand: JSONPayload, Equatable {
    /// What to do.
    public var action: String
    /// The booking.
    public var bookingID: String
    /// The seat.
    public var seat: String
    /// The price.
    public var priceMinor: Int64
    /// The hold to release, if any.
    public var holdID: String?

    /// A command.
    public init(action: String, bookingID: String, seat: String, priceMinor: Int64, holdID: String? = nil) {
        self.action = action
        self.bookingID = bookingID
        self.seat = seat
        self.priceMinor = priceMinor
        self.holdID = holdID
    }
}

/// The venue's answer to `hold`.
public struct SeatHold: JSONPayload, Equatable {
    /// The hold.
    public var holdID: String

    /// A hold.
    public init(holdID: String) { self.holdID = holdID }
}

/// holdSeat (undone by releaseSeat) → chargeCard (the pivot). A declined card releases the seat.
public enum BookingSaga {
    /// The saga type.
    public static let sagaType = "seat-booking"

    /// The topics, under `prefix`.
    public struct Topics: Sendable {
        /// Start events (`Booking`).
        public var requested: String
        /// Commands to the venue.
        public var venue: String
        /// Replies to the orchestrator.
        public var replies: String
        /// Lifecycle events.
        public var events: String

        /// The topics under `prefix`.
        public init(prefix: String = "") {
            requested = prefix + "booking.requested"
            venue = prefix + "venue.commands"
            replies = prefix + "booking.replies"
            events = prefix + "booking.events"
        }
    }

    /// The saga, registered once: its definition and the trigger that starts it from `topics.requested`.
    public static func registration(topics: Topics) throws -> SagaRegistration {
        let definition = try SagaDefinition<Booking>(name: sagaType, version: 1, replyTopic: topics.replies) {
            SagaStep<Booking>.compensatable("holdSeat", topic: topics.venue) { booking in
                SeatCommand(action: "hold", bookingID: booking.bookingID, seat: booking.seat, priceMinor: booking.priceMinor)
            }
            .onReply { reply, booking in
                if reply.status == .succeeded { booking.holdID = try reply.decode(SeatHold.self).holdID }
                return reply.defaultInterpretation
            }
            .compensate(topic: topics.venue) { booking in
                SeatCommand(
                    action: "release", bookingID: booking.bookingID, seat: booking.seat, priceMinor: booking.priceMinor,
                    holdID: booking.holdID
                )
            }
            SagaStep<Booking>.pivot("chargeCard", topic: topics.venue) { booking in
                SeatCommand(action: "charge", bookingID: booking.bookingID, seat: booking.seat, priceMinor: booking.priceMinor)
            }
        }
        let trigger = SagaTrigger(topic: topics.requested, sagaType: sagaType) { message in
            let booking = try Booking.decodePayload(message.value)
            return (booking.bookingID, try booking.encodePayload())
        }
        return try SagaRegistration(definitions: [definition], trigger: trigger)
    }
}
