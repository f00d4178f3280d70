import Foundation
import SagaCore
import SagaAvro
import SagaTestKit
import SagaTestSupport

/// Drives one saga of the test order saga through the pure state machine with a controllable
/// clock: the engine tests' shorthand (`succeed()`, actions by name) over SagaTestKit's scenario.
struct SagaDriver {
    private(set) var scenario: SagaScenario<OrderData>
    /// The clock the next event is applied at (moved by hand or by ``fireDeadline()``).
    var now: Date
    var replyCounter = 0

    init(definition: any AnySagaDefinition, data: OrderData = OrderData(orderID: "o-1", amount: 100), sagaID: String = "saga-1")
        throws
    {
        let start = Date(timeIntervalSince1970: 1_000_000)
        self.scenario = try SagaScenario(
            definition: definition, data: data, sagaID: sagaID, startingAt: start, random: .fixed(0.5), causationID: "start-1"
        )
        self.now = start
    }

    var definition: any AnySagaDefinition { scenario.definition }
    var state: SagaState { scenario.state }
    var sent: [OutgoingMessage] { scenario.sentCommands.map(\.message) }
    var lifecycle: [SagaLifecycleEvent] { scenario.lifecycle }
    var history: [StepHistoryChange] { scenario.history }

    /// The saga continued by a new process under `definition` (resolved from the stored version).
    func restarted(definition: any AnySagaDefinition) throws -> SagaDriver {
        var copy = self
        copy.scenario = try scenario.restarted(definition: definition)
        return copy
    }

    @discardableResult
    mutating func apply(_ event: SagaEvent) throws -> SagaTransition {
        try scenario.apply(event, at: now)
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
        return try scenario.deliver(reply, at: now)
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
