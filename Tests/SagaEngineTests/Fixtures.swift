import Foundation
import SagaEngine

/// Test saga data and messages, encoded as JSON (the engine treats payloads as opaque bytes).
protocol JSONPayload: SagaPayloadCodable, Codable {}

extension JSONPayload {
    static var messageType: String { String(describing: Self.self) }
    func encodePayload() throws -> [UInt8] { Array(try JSONEncoder().encode(self)) }
    static func decodePayload(_ bytes: [UInt8]) throws -> Self { try JSONDecoder().decode(Self.self, from: Data(bytes)) }
}

struct OrderData: JSONPayload, Equatable {
    var orderID: String
    var amount: Int
    var reservationID: String?
    var failCommandBuild = false
}

struct StepCommand: JSONPayload, Equatable {
    var action: String
    var orderID: String
    var reservationID: String?
}

struct Reservation: JSONPayload { var reservationID: String }

struct CommandBuildFailure: Error {}

enum Fixtures {
    static let replyTopic = "order.replies"
    static let stepNames = ["reserveStock", "authorizeCard", "chargeCard", "shipOrder"]

    static func command(_ action: String) -> @Sendable (OrderData) throws -> any SagaPayloadCodable {
        { data in
            if data.failCommandBuild && action == "ship" { throw CommandBuildFailure() }
            return StepCommand(action: action, orderID: data.orderID, reservationID: data.reservationID)
        }
    }

    /// reserveStock (compensatable) → authorizeCard (compensatable) → chargeCard (pivot) → shipOrder (retriable).
    static func orderSaga(version: Int = 1, retry: RetryPolicy = .exponential(maxAttempts: 3, jitter: 0)) throws
        -> SagaDefinition<OrderData>
    {
        try SagaDefinition<OrderData>(name: "order", version: version, replyTopic: replyTopic) {
            SagaStep.compensatable("reserveStock", topic: "inventory.commands", command: command("reserve"))
                .onReply { reply, data in
                    if reply.status == .success { data.reservationID = try reply.decode(Reservation.self).reservationID }
                    return reply.defaultOutcome
                }
                .compensate(topic: "inventory.commands", retry: .exponential(maxAttempts: 2, jitter: 0), command: command("release"))
                .timeout(.seconds(5))
                .retry(retry)
            SagaStep.compensatable("authorizeCard", topic: "payments.commands", command: command("authorize"))
                .compensate(topic: "payments.commands", retry: .exponential(maxAttempts: 2, jitter: 0), command: command("void"))
                .timeout(.seconds(5))
                .retry(retry)
            SagaStep.pivot("chargeCard", topic: "payments.commands", command: command("charge"))
                .timeout(.seconds(5))
                .retry(retry)
            SagaStep.retriable("shipOrder", topic: "shipping.commands", command: command("ship"))
                .timeout(.seconds(5))
                .retry(.exponential(maxAttempts: 4, jitter: 0))
        }
    }
}

/// Drives one saga through the pure state machine with a controllable clock.
struct SagaDriver {
    var definition: any AnySagaDefinition
    var state: SagaState
    var now: Date
    var sent: [OutgoingMessage] = []
    var lifecycle: [SagaLifecycleEvent] = []
    var history: [StepHistoryChange] = []
    var replyCounter = 0

    init(definition: any AnySagaDefinition, data: OrderData = OrderData(orderID: "o-1", amount: 100)) throws {
        self.definition = definition
        self.now = Date(timeIntervalSince1970: 1_000_000)
        let transition = try definition.start(
            sagaID: "saga-1", data: data.encodePayload(), causationID: "start-1", environment: TransitionEnvironment(now: now, random: 0.5)
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
        let encoded = try payload.map { try SagaCommand($0) }
        let reply = SagaReply(
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
            _ = try reply(.success, payload: Reservation(reservationID: "r-\(state.sagaID)"))
        } else {
            _ = try reply(.success)
        }
    }

    /// Moves the clock to the saga's deadline and fires it.
    mutating func fireDeadline() throws -> SagaTransition {
        if let deadline = state.deadline { now = deadline }
        return try apply(.deadlineReached)
    }
}

/// Encodes lifecycle events as JSON for tests that do not exercise the Avro contracts.
struct JSONLifecycleEncoder: SagaLifecycleEncoder {
    struct Event: JSONPayload { var kind: String; var sagaID: String; var step: String?; var reason: String? }

    func encode(_ event: SagaLifecycleEvent) throws -> SagaCommand {
        try SagaCommand(Event(kind: event.kind.rawValue, sagaID: event.sagaID, step: event.step, reason: event.reason))
    }
}

extension OutgoingMessage {
    /// The lifecycle kind of a JSON-encoded lifecycle message, if it is one.
    var lifecycleKind: String? {
        guard headers.string(SagaHeaders.messageType) == JSONLifecycleEncoder.Event.messageType else { return nil }
        return try? JSONLifecycleEncoder.Event.decodePayload(value).kind
    }
}
