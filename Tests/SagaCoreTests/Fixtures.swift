import Foundation
import SagaCore
import SagaAvro
import SagaTestSupport

/// Drives one saga through the pure state machine with a controllable clock.
struct SagaDriver {
    var definition: any AnySagaDefinition
    var state: SagaState
    var now: Date
    var sent: [OutgoingMessage] = []
    var lifecycle: [SagaLifecycleEvent] = []
    var history: [StepHistoryChange] = []
    var replyCounter = 0

    init(definition: any AnySagaDefinition, data: OrderData = OrderData(orderID: "o-1", amount: 100), sagaID: String = "saga-1")
        throws
    {
        self.definition = definition
        self.now = Date(timeIntervalSince1970: 1_000_000)
        let transition = try definition.start(
            sagaID: sagaID, data: data.encodePayload(), causationID: "start-1", environment: TransitionEnvironment(now: now, random: 0.5)
        )
        self.state = transition.state
        record(transition)
    }

    mutating func record(_ t: SagaTransition) {
        state = t.state
        if t.changedState { state.version += 1 } // as the store does on every write
        sent += t.commands
        lifecycle += t.lifecycle
        history += t.history
    }

    @discardableResult
    mutating func apply(_ event: SagaEvent) throws -> SagaTransition {
        let t = try definition.apply(event, to: state, environment: TransitionEnvironment(now: now, random: 0.5))
        record(t)
        return t
    }

    var lastCommand: OutgoingMessage? { sent.last }
    var lastAction: String? {
        guard let value = lastCommand?.value else { return nil }
        return (try? StepCommand.decodePayload(value))?.action
    }
    var actions: [String] { sent.compactMap { try? StepCommand.decodePayload($0.value).action } }

    mutating func reply(
        _ status: ReplyStatus, to correlation: String? = nil, payload: (any SagaPayloadCodable)? = nil, reason: String? = nil
    ) throws -> SagaTransition {
        replyCounter += 1
        let encoded = try payload.map { try EncodedPayload($0) }
        let reply = StepReply(
            messageID: "reply-\(replyCounter)",
            causationID: correlation ?? state.pendingRequestID ?? "none",
            sagaID: state.sagaID, status: status, reason: reason,
            messageType: encoded?.messageType ?? "", payload: encoded?.payload ?? []
        )
        return try apply(.reply(reply))
    }

    /// Answers the pending request successfully (reserveStock gets its reservation payload).
    mutating func succeed() throws {
        if lastAction == "reserve" {
            _ = try reply(.succeeded, payload: TestReservation(reservationID: "r-\(state.sagaID)"))
        } else {
            _ = try reply(.succeeded)
        }
    }

    /// Moves the clock to the saga's deadline and fires it.
    mutating func fireDeadline() throws -> SagaTransition {
        if let deadline = state.deadline { now = deadline }
        return try apply(.deadlineReached)
    }
}
