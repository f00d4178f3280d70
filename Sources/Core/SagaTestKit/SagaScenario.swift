import Foundation
import SagaCore

/// One saga instance driven through the engine's pure state machine, with a virtual clock and
/// deterministic randomness: no broker, no database. Deliver replies, let time pass, redeliver,
/// restart, and act as an operator; then assert on what the saga sent, its lifecycle events, its
/// history and its end state.
///
/// ```swift
/// @Test func refusedDebitNotifiesThePayer() throws {
///     var scenario = try SagaScenario(TransferSaga.definition(), data: transfer)
///     try scenario.reply(to: "validateTransfer", with: .succeeded(validated))
///     try scenario.reply(to: "debitPayer", with: .businessFailure(reason: "INSUFFICIENT_FUNDS", payload: refusal))
///     try scenario.reply(to: "notifyPayerOfFailure", with: .succeeded)
///     #expect(scenario.status == .compensated)
///     #expect(scenario.compensations == ["validateTransfer", "notifyPayerOfFailure"])
/// }
/// ```
///
/// A scenario is a value: copying it forks the saga (both copies go on independently).
public struct SagaScenario<SagaData: SagaPayloadCodable>: Sendable {
    /// The definition the saga runs under.
    public private(set) var definition: any AnySagaDefinition
    /// The saga's state as the store would hold it (its ``SagaState/version`` bumped on every change).
    public private(set) var state: SagaState
    /// The virtual clock: the time every transition sees.
    public internal(set) var now: Date
    /// The random numbers transitions get (retry jitter).
    public private(set) var random: TestRandom
    /// Every command and compensation sent, in order.
    public private(set) var sentCommands: [SentCommand] = []
    /// Every lifecycle event emitted, in order.
    public private(set) var lifecycle: [SagaLifecycleEvent] = []
    /// Every history change, in order (see ``attempts`` for one row per request).
    public private(set) var history: [StepHistoryChange] = []
    /// Every transition, in order: the start first.
    public private(set) var transitions: [SagaTransition] = []
    /// Every reply delivered, in order (redeliveries included).
    public private(set) var deliveredReplies: [StepReply] = []
    /// How often the saga was restarted from its stored state (``restarted(from:definition:)``).
    public private(set) var restarts = 0

    /// A saga id for tests (a UUID, as the contracts' envelopes require).
    public static var defaultSagaID: String { "5a6a0000-0000-4000-8000-000000000001" }
    /// The clock's default start: 2026-01-01T00:00:00Z.
    public static var defaultStart: Date { Date(timeIntervalSince1970: 1_767_225_600) }

    /// Starts a saga of `definition` with `data`; its first command is sent at once.
    ///
    /// - Parameters:
    ///   - sagaID: the instance id (also the Kafka key of its messages).
    ///   - startingAt: the clock's start.
    ///   - random: the random numbers for retry jitter.
    ///   - causationID: the id of the start event, if the saga was started by one.
    public init(
        _ definition: SagaDefinition<SagaData>, data: SagaData, sagaID: String = Self.defaultSagaID,
        startingAt: Date = Self.defaultStart, random: TestRandom = .fixed(0.5), causationID: String? = nil
    ) throws {
        try self.init(
            starting: definition, data: data.encodePayload(), sagaID: sagaID, startingAt: startingAt, random: random,
            causationID: causationID
        )
    }

    /// Starts a saga of `definition` (data type erased, e.g. from a ``SagaRegistry``) with `data`.
    public init(
        definition: any AnySagaDefinition, data: SagaData, sagaID: String = Self.defaultSagaID,
        startingAt: Date = Self.defaultStart, random: TestRandom = .fixed(0.5), causationID: String? = nil
    ) throws {
        try self.init(
            starting: definition, data: data.encodePayload(), sagaID: sagaID, startingAt: startingAt, random: random,
            causationID: causationID
        )
    }

    /// Starts a saga of the newest definition in `registration` (as the orchestrator would) with `data`.
    public init(
        _ registration: SagaRegistration, data: SagaData, sagaID: String = Self.defaultSagaID,
        startingAt: Date = Self.defaultStart, random: TestRandom = .fixed(0.5), causationID: String? = nil
    ) throws {
        let registry = try SagaRegistry([registration])
        guard let definition = registry.latest(registration.sagaType) else {
            throw SagaRegistryError.noDefinition(sagaType: registration.sagaType)
        }
        try self.init(
            starting: definition, data: data.encodePayload(), sagaID: sagaID, startingAt: startingAt, random: random,
            causationID: causationID
        )
    }

    /// Continues a saga from a stored `state` (e.g. loaded from a ``SagaStore``) under `definition`,
    /// with the clock at `now`. Nothing sent before is known: reply to the pending request with
    /// ``reply(to:with:)``, which falls back to the state's pending request id.
    public init(resuming state: SagaState, definition: any AnySagaDefinition, at now: Date, random: TestRandom = .fixed(0.5))
        throws
    {
        guard definition.name == state.sagaType, definition.version == state.definitionVersion else {
            throw SagaScenarioError.definitionMismatch(
                expected: "\(state.sagaType) v\(state.definitionVersion)", actual: "\(definition.name) v\(definition.version)"
            )
        }
        self.definition = definition
        self.state = state
        self.now = now
        self.random = random
    }

    private init(
        starting definition: any AnySagaDefinition, data: [UInt8], sagaID: String, startingAt: Date, random: TestRandom,
        causationID: String?
    ) throws {
        var random = random
        let transition = try definition.start(
            sagaID: sagaID, data: data, causationID: causationID, environment: random.environment(at: startingAt)
        )
        self.definition = definition
        self.now = startingAt
        self.random = random
        self.state = transition.state
        record(transition)
    }

    // MARK: The saga's state

    /// Where the saga stands.
    public var status: SagaStatus { state.status }
    /// Why it is compensating, compensated or parked.
    public var failureReason: String? { state.failureReason }
    /// The saga data, decoded.
    public var data: SagaData { get throws { try SagaData.decodePayload(state.data) } }
    /// The step whose reply is awaited, if any.
    public var pendingStep: String? {
        guard state.pendingRequestID != nil, definition.stepNames.indices.contains(state.stepIndex) else { return nil }
        return definition.stepNames[state.stepIndex]
    }
    /// The step the saga is at (executing, compensating, or parked on).
    public var currentStep: String? {
        definition.stepNames.indices.contains(state.stepIndex) ? definition.stepNames[state.stepIndex] : nil
    }
    /// The last transition (``SagaTransition/ignored`` says whether it changed nothing).
    public var lastTransition: SagaTransition? { transitions.last }

    // MARK: Events

    /// Applies `event` at the clock's time (or at `date`, moving the clock there without firing timers).
    @discardableResult
    public mutating func apply(_ event: SagaEvent, at date: Date? = nil) throws -> SagaTransition {
        if let date { now = date }
        let transition = try definition.apply(event, to: state, environment: random.environment(at: now))
        record(transition)
        return transition
    }

    /// Delivers `reply` as the orchestrator would after consuming it (at `date`, if given, as ``apply(_:at:)``).
    @discardableResult
    public mutating func deliver(_ reply: StepReply, at date: Date? = nil) throws -> SagaTransition {
        deliveredReplies.append(reply)
        return try apply(.reply(reply), at: date)
    }

    /// Answers the last command sent for `step` (its forward command or, once compensating, its
    /// compensation) with `reply`: the right causation id and saga id, the reply id a participant
    /// would use. After a restart without that command on record, answers the pending request.
    @discardableResult
    public mutating func reply(to step: String, with reply: TestReply) throws -> SagaTransition {
        try deliver(reply.stepReply(answering: command(answering: step)))
    }

    /// Answers the last command sent for item `item` of the step over a list `step` (its forward
    /// command or, once compensating, its compensation) with `reply`.
    @discardableResult
    public mutating func reply(to step: String, item: Int, with reply: TestReply) throws -> SagaTransition {
        guard let sent = sentCommands.last(where: { $0.step == step && $0.item == item }) else {
            throw SagaScenarioError.noCommandSent(step: "\(step)[\(item)]")
        }
        return try deliver(reply.stepReply(answering: sent))
    }

    /// Answers every awaited item of the step over a list `step` with `reply`, lowest index first,
    /// until none is awaited (items the step's limit held back are answered as they are sent).
    @discardableResult
    public mutating func replyToEveryItem(of step: String, with reply: TestReply) throws -> [SagaTransition] {
        var transitions: [SagaTransition] = []
        while currentStep == step, let item = awaitedItems.first {
            let transition = try self.reply(to: step, item: item, with: reply)
            transitions.append(transition)
            if transition.ignored != nil { break }  // the machine did not act on it: answering again would change nothing
        }
        return transitions
    }

    /// Delivers the last delivered reply again, unchanged (same message id): a redelivery the state
    /// machine must ignore (``SagaTransition/ignored`` is ``IgnoredReason/lateReply``).
    @discardableResult
    public mutating func redeliverLastReply() throws -> SagaTransition {
        guard let last = deliveredReplies.last else { throw SagaScenarioError.noReplyDelivered }
        return try deliver(last)
    }

    /// An operator's `retry`: a parked saga sends its stuck request again, with a fresh retry budget.
    @discardableResult
    public mutating func retry() throws -> SagaTransition { try apply(.retry) }

    /// An operator's `resolve`: a parked saga records its stuck step as done by hand and goes on.
    @discardableResult
    public mutating func resolve(note: String) throws -> SagaTransition { try apply(.resolve(note: note)) }

    /// The saga after a restart: its state reloaded (by default a copy of the current one built field
    /// by field, as a store loads it; or `stored`, the state a real ``SagaStore`` returned) and run by
    /// `definition` (default: the same one). What was sent before stays on record, as it stays on the topics.
    ///
    /// - Throws: ``SagaScenarioError/otherSaga(expected:actual:)`` when `stored` is another saga's,
    ///   ``SagaScenarioError/definitionMismatch(expected:actual:)`` when `definition` is not the one
    ///   the saga was started under (type and version).
    public func restarted(from stored: SagaState? = nil, definition: (any AnySagaDefinition)? = nil) throws -> SagaScenario {
        let reloaded = stored ?? state.reloaded()
        guard reloaded.sagaID == state.sagaID else {
            throw SagaScenarioError.otherSaga(expected: state.sagaID, actual: reloaded.sagaID)
        }
        var restarted = try SagaScenario(
            resuming: reloaded, definition: definition ?? self.definition, at: now, random: random
        )
        restarted.sentCommands = sentCommands
        restarted.lifecycle = lifecycle
        restarted.history = history
        restarted.transitions = transitions
        restarted.deliveredReplies = deliveredReplies
        restarted.restarts = restarts + 1
        return restarted
    }

    // MARK: Recording

    mutating func record(_ transition: SagaTransition) {
        state = transition.state
        if transition.changedState { state.version += 1 }  // as the store does on every write
        transitions.append(transition)
        lifecycle += transition.lifecycle
        history += transition.history
        var started: [String: (phase: SagaPhase, step: String, attempt: Int, sequence: Int, item: Int?)] = [:]
        for case .started(let sequence, let requestID, let phase, _, let step, let attempt, _, _, let item) in transition.history {
            started[requestID] = (phase, step, attempt, sequence, item)
        }
        for message in transition.commands {
            let id = message.messageID ?? ""
            let request = started[id]
            sentCommands.append(SentCommand(
                message: message, step: request?.step ?? message.headers.string(SagaHeaders.step) ?? "",
                phase: request?.phase ?? .forward, attempt: request?.attempt ?? 1, sequence: request?.sequence ?? 0,
                sentAt: now, item: request?.item ?? message.headers.string(SagaHeaders.item).flatMap { Int($0) }
            ))
        }
    }

    /// The command a reply to `step` answers.
    func command(answering step: String) throws -> SentCommand {
        if let sent = sentCommands.last(where: { $0.step == step }),
            state.pendingRequestID == nil || pendingStep != step || sent.messageID == state.pendingRequestID
        {
            return sent
        }
        guard pendingStep == step, let pending = state.pendingRequestID else { throw SagaScenarioError.noCommandSent(step: step) }
        return SentCommand(
            message: OutgoingMessage(
                topic: "", key: Array(state.sagaID.utf8), value: [],
                headers: [SagaHeader(SagaHeaders.messageID, pending), SagaHeader(SagaHeaders.sagaID, state.sagaID)]
            ),
            step: step, phase: state.phase, attempt: state.attempt, sequence: state.requestSequence, sentAt: now
        )
    }
}

extension TestRandom {
    mutating func environment(at now: Date) -> TransitionEnvironment {
        TransitionEnvironment(now: now, random: next())
    }
}

extension SagaState {
    /// A copy built through the public initializer, field by field, as a store builds the state it loads.
    func reloaded() -> SagaState {
        SagaState(
            sagaID: sagaID, sagaType: sagaType, definitionVersion: definitionVersion, status: status, phase: phase,
            stepIndex: stepIndex, attempt: attempt, requestSequence: requestSequence, pendingRequestID: pendingRequestID,
            stepStartedAt: stepStartedAt, deadline: deadline, deadlineKind: deadlineKind, completedSteps: completedSteps,
            uncertainStep: uncertainStep, listProgress: listProgress, data: data, failureReason: failureReason, version: version, createdAt: createdAt,
            updatedAt: updatedAt, requestSentAt: requestSentAt, traceParent: traceParent, traceState: traceState
        )
    }
}
