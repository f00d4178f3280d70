import Foundation
import GRDB
import SagaCore
import SagaAvro

// Saga data and messages for the engine's tests, the crash harness and the benchmark, as JSON
// payloads (``JSONPayload``).

/// The test order saga's data.
public struct OrderData: JSONPayload, Equatable {
    /// Steers the test participants (see ``TestParticipants``).
    public var orderID: String
    /// An amount.
    public var amount: Int
    /// Set from the reserveStock reply.
    public var reservationID: String?
    /// Makes the shipOrder command fail to build.
    public var failCommandBuild = false

    /// Creates order data.
    public init(orderID: String, amount: Int, reservationID: String? = nil, failCommandBuild: Bool = false) {
        self.orderID = orderID
        self.amount = amount
        self.reservationID = reservationID
        self.failCommandBuild = failCommandBuild
    }
}

/// Every command of the test saga.
public struct StepCommand: JSONPayload, Equatable {
    /// reserve, release, authorize, void, charge, ship.
    public var action: String
    /// The order.
    public var orderID: String
    /// The reservation, once known.
    public var reservationID: String?

    /// Creates a command.
    public init(action: String, orderID: String, reservationID: String? = nil) {
        self.action = action
        self.orderID = orderID
        self.reservationID = reservationID
    }
}

/// The reserveStock reply payload.
public struct TestReservation: JSONPayload {
    /// The reservation id.
    public var reservationID: String

    /// Creates a reservation.
    public init(reservationID: String) { self.reservationID = reservationID }
}

/// Thrown by a command builder when ``OrderData/failCommandBuild`` is set.
public struct CommandBuildFailure: Error {}

/// The test order saga.
public enum Fixtures {
    /// Starts an order saga from each `OrderData` on `<prefix>order.placed`; the record key is the saga id.
    public static func orderTrigger(prefix: String) -> SagaTrigger {
        SagaTrigger(topic: prefix + "order.placed", sagaType: "order") { message in
            let data = try OrderData.decodePayload(message.value)
            return (String(decoding: message.key, as: UTF8.self), try data.encodePayload())
        }
    }

    /// The test order saga `definition` registered with ``orderTrigger(prefix:)``.
    public static func orderRegistration(_ definition: SagaDefinition<OrderData>, prefix: String) throws -> SagaRegistration {
        try SagaRegistration(definitions: [definition], trigger: orderTrigger(prefix: prefix))
    }

    /// The reply topic (without prefix).
    public static let replyTopic = "order.replies"
    /// The step names in order.
    public static let stepNames = ["reserveStock", "authorizeCard", "chargeCard", "shipOrder"]

    /// A command builder for `action`.
    public static func command(_ action: String) -> @Sendable (OrderData) throws -> any SagaPayloadCodable {
        { data in
            if data.failCommandBuild && action == "ship" { throw CommandBuildFailure() }
            return StepCommand(action: action, orderID: data.orderID, reservationID: data.reservationID)
        }
    }

    /// reserveStock (compensatable) → authorizeCard (compensatable) → chargeCard (pivot) → shipOrder (retriable),
    /// on topics named `<prefix>inventory.commands`, `<prefix>payments.commands`, `<prefix>shipping.commands`
    /// (the authorize, charge and shipping topics can be redirected, e.g. to a topic nobody consumes).
    ///
    /// `timeout` is every step's reply timeout; a redirected step uses `redirectedTimeout` when
    /// given. Tests of timeouts give the redirected step a short one and keep the live steps'
    /// long, so a loaded machine cannot turn a slow live reply into a timeout.
    public static func orderSaga(
        version: Int = 1, retry: RetryPolicy = .exponential(maxAttempts: 3, jitter: 0), prefix: String = "",
        timeout: Duration = .seconds(5), shippingTopic: String? = nil, chargeTopic: String? = nil,
        authorizeTopic: String? = nil, redirectedTimeout: Duration? = nil
    ) throws -> SagaDefinition<OrderData> {
        func replyTimeout(for redirected: String?) -> Duration { redirected == nil ? timeout : (redirectedTimeout ?? timeout) }
        return try SagaDefinition<OrderData>(name: "order", version: version, replyTopic: prefix + replyTopic) {
            SagaStep.compensatable("reserveStock", topic: prefix + "inventory.commands", command: command("reserve"))
                .onReply { reply, data in
                    if reply.status == .succeeded { data.reservationID = try reply.decode(TestReservation.self).reservationID }
                    return reply.defaultInterpretation
                }
                .compensate(topic: prefix + "inventory.commands", retry: .exponential(maxAttempts: 2, jitter: 0), command: command("release"))
                .timeout(replyTimeout(for: nil))
                .retry(retry)
            SagaStep.compensatable("authorizeCard", topic: authorizeTopic ?? (prefix + "payments.commands"), command: command("authorize"))
                .compensate(topic: prefix + "payments.commands", retry: .exponential(maxAttempts: 2, jitter: 0), command: command("void"))
                .timeout(replyTimeout(for: authorizeTopic))
                .retry(retry)
            SagaStep.pivot("chargeCard", topic: chargeTopic ?? (prefix + "payments.commands"), command: command("charge"))
                .timeout(replyTimeout(for: chargeTopic))
                .retry(retry)
            SagaStep.retriable("shipOrder", topic: shippingTopic ?? (prefix + "shipping.commands"), command: command("ship"))
                .timeout(replyTimeout(for: shippingTopic))
                .retry(.exponential(maxAttempts: 4, jitter: 0))
        }
    }
}


extension OutgoingMessage {
    /// The lifecycle kind of a JSON-encoded lifecycle message, if it is one.
    public var lifecycleKind: String? {
        guard headers.string(SagaHeaders.messageType) == JSONLifecycleEncoder.Event.messageType else { return nil }
        return try? JSONLifecycleEncoder.Event.decodePayload(value).kind
    }
}

extension InboundMessage {
    /// The lifecycle kind of a JSON-encoded lifecycle record, if it is one.
    public var lifecycleKind: String? {
        OutgoingMessage(topic: topic, key: key, value: value, headers: headers).lifecycleKind
    }
}

/// The test participants (inventory, payments, shipping in one handler), steered by the order id:
/// `fail-<action>` refuses that action; `flaky-<action>` fails it transiently once; anything
/// else succeeds. Each carried-out action is appended to the `ledger` table.
public enum TestParticipants {
    /// Creates the participants' table.
    public static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS ledger (seq INTEGER PRIMARY KEY AUTOINCREMENT, saga_id TEXT NOT NULL, action TEXT NOT NULL)
            """)
    }

    /// Handles one command.
    public static func handle(_ command: ParticipantCommand, _ db: Database) throws -> ParticipantReply {
        let body = try command.decode(StepCommand.self)
        let order = body.orderID
        if order == "fail-\(body.action)" { return .businessFailure(reason: "\(body.action) refused", nil) }
        if order == "flaky-\(body.action)" {
            let seen = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger WHERE saga_id = ? AND action = ?",
                arguments: [command.sagaID, "flaky-" + body.action]) ?? 0
            try db.execute(sql: "INSERT INTO ledger (saga_id, action) VALUES (?, ?)", arguments: [command.sagaID, "flaky-" + body.action])
            if seen == 0 { return .retriableFailure(reason: "try again") }
        }
        try db.execute(sql: "INSERT INTO ledger (saga_id, action) VALUES (?, ?)", arguments: [command.sagaID, body.action])
        if body.action == "reserve" { return try .succeeded(TestReservation(reservationID: "res-\(command.sagaID)")) }
        return .succeeded(nil)
    }
}
