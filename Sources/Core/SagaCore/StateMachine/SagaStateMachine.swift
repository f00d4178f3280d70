import Foundation

/// A saga definition with its data type erased: what the runtime and the registry work with.
/// ``SagaDefinition`` is the only conformance; the runtime moves the data as encoded bytes.
public protocol AnySagaDefinition: Sendable {
    /// The saga type name.
    var name: String { get }
    /// The definition version.
    var version: Int { get }
    /// The topic replies come back on.
    var replyTopic: String { get }
    /// The step names in order.
    var stepNames: [String] { get }
    /// The participants' command topics its steps and compensations send to, sorted.
    var commandTopics: [String] { get }
    /// Creates a new instance from encoded data and sends its first command; `causationID` is
    /// the id of the start event, if it came as a message.
    func start(sagaID: String, data: [UInt8], causationID: String?, environment: TransitionEnvironment)
        throws(SagaTransitionError) -> SagaTransition
    /// Applies an event to an instance started under this definition.
    func apply(_ event: SagaEvent, to state: SagaState, environment: TransitionEnvironment) throws(SagaTransitionError)
        -> SagaTransition
}

extension SagaDefinition: AnySagaDefinition {
    /// The step names in order.
    public var stepNames: [String] { steps.map(\.name) }

    /// The participants' command topics its steps and compensations send to, sorted.
    public var commandTopics: [String] {
        let forward = steps.filter(\.sendsCommand).map(\.topic)
        let undo = steps.compactMap(\.compensation).filter(\.sendsCommand).map(\.topic)
        return Set(forward + undo).sorted()
    }

    /// Starts a saga with typed data.
    public func start(sagaID: String, data: SagaData, causationID: String? = nil, environment: TransitionEnvironment)
        throws -> SagaTransition
    {
        try start(sagaID: sagaID, data: data.encodePayload(), causationID: causationID, environment: environment)
    }

    /// Creates a new instance from encoded data and sends its first command.
    public func start(sagaID: String, data: [UInt8], causationID: String?, environment: TransitionEnvironment)
        throws(SagaTransitionError) -> SagaTransition
    {
        let state = SagaState(
            sagaID: sagaID, sagaType: name, definitionVersion: version, status: .running, phase: .forward,
            stepIndex: 0, attempt: 0, requestSequence: 0, pendingRequestID: nil, deadline: nil,
            deadlineKind: nil, completedSteps: [], data: data, failureReason: nil, version: 0,
            createdAt: environment.now, updatedAt: environment.now
        )
        var run = try SagaRun(definition: self, state: state, environment: environment)
        run.cause = causationID
        run.emit(.started, step: nil)
        run.send(phase: .forward, stepIndex: 0, attempt: 1)
        return try run.finish()
    }

    /// Applies an event to an instance started under this definition.
    public func apply(_ event: SagaEvent, to state: SagaState, environment: TransitionEnvironment)
        throws(SagaTransitionError) -> SagaTransition
    {
        guard state.stepIndex >= 0, state.stepIndex < steps.count else {
            throw .corruptState(sagaID: state.sagaID, detail: "step index \(state.stepIndex) of \(steps.count) steps")
        }
        var run = try SagaRun(definition: self, state: state, environment: environment)
        switch event {
        case .reply(let reply):
            run.cause = reply.messageID
            try run.handle(reply)
        case .deadlineReached: run.handleDeadline()
        case .retry: run.retryParked()
        case .resolve(let note): run.resolveParked(note: note)
        }
        return try run.finish()
    }
}

/// One transition in progress: the working state and what it has produced so far.
/// (Steps over a list are handled in `SagaRun+List.swift`.)
struct SagaRun<SagaData: SagaPayloadCodable> {
    let definition: SagaDefinition<SagaData>
    let env: TransitionEnvironment
    var state: SagaState
    var data: SagaData
    var transition: SagaTransition
    /// The message that caused this transition, if any.
    var cause: String?
    /// The failure code of the last failed request in this transition, for the events it leads to.
    var lastFailureCode: String?

    init(definition: SagaDefinition<SagaData>, state: SagaState, environment: TransitionEnvironment)
        throws(SagaTransitionError)
    {
        self.definition = definition
        self.env = environment
        self.state = state
        do {
            self.data = try SagaData.decodePayload(state.data)
        } catch {
            throw .undecodableData(sagaID: state.sagaID, error: String(describing: error))
        }
        self.transition = SagaTransition(state: state)
    }

    var step: SagaStep<SagaData> { definition.steps[state.stepIndex] }

    mutating func finish() throws(SagaTransitionError) -> SagaTransition {
        if transition.ignored == nil {
            do {
                state.data = try data.encodePayload()
            } catch {
                throw .unencodableData(sagaID: state.sagaID, error: String(describing: error))
            }
            state.updatedAt = env.now
            transition.state = state
        }
        return transition
    }

    mutating func ignore(_ reason: IgnoredReason) {
        transition.ignored = reason
        transition.state = state
    }

    mutating func emit(
        _ kind: SagaLifecycleKind, step: String?, reason: String? = nil, attempt: Int? = nil,
        outcome: StepOutcome? = nil, retryAt: Date? = nil, compensations: [String] = [], failureCode: String? = nil
    ) {
        let position = transition.lifecycle.count
        var duration: Int64?
        if kind == .stepCompleted, let started = state.stepStartedAt {
            duration = Int64((env.now.timeIntervalSince(started) * 1000).rounded())
        }
        transition.lifecycle.append(SagaLifecycleEvent(
            eventID: DeterministicUUID.make("\(state.sagaID)/event/\(state.version)/\(position)"),
            causationID: cause, kind: kind, sagaID: state.sagaID, sagaType: state.sagaType,
            definitionVersion: state.definitionVersion, step: step, phase: state.phase, reason: reason,
            attempt: attempt, outcome: outcome, willRetry: retryAt != nil, retryAt: retryAt,
            failureCode: failureCode ?? outcome.flatMap(Self.failureCode), stepDurationMilliseconds: duration,
            compensations: compensations, sagaStartedAt: state.createdAt, at: env.now
        ))
    }

    static func failureCode(_ outcome: StepOutcome) -> String? {
        switch outcome {
        case .succeeded: nil
        case .timedOut: "TIMEOUT"
        case .retriableFailure: "UNAVAILABLE"
        case .businessFailure: "BUSINESS_FAILURE"
        case .commandFailed: "COMMAND_FAILED"
        case .manuallyResolved: "MANUAL"
        }
    }

    // MARK: Sending

    /// Sends the command (or compensation) of `stepIndex` and arms its reply timeout; a step
    /// over a list sends its items' commands instead.
    mutating func send(phase: SagaPhase, stepIndex: Int, attempt: Int) {
        if attempt == 1 || state.stepIndex != stepIndex || state.phase != phase { state.stepStartedAt = env.now }
        state.phase = phase
        state.stepIndex = stepIndex
        state.attempt = attempt
        if step.items != nil { return beginList() }
        switch request(attempt: attempt, item: nil, uncertain: phase == .compensation && state.uncertainStep == stepIndex) {
        case .sent(let sequence, let timeout):
            state.pendingRequestID = SagaState.requestID(sagaID: state.sagaID, sequence: sequence)
            state.deadline = env.now.addingTimeInterval(timeout.timeInterval)
            state.deadlineKind = .replyTimeout
        case .nothingToSend:
            succeed(.succeeded, error: nil)
        case .parked:
            return
        }
    }

    /// What became of a request.
    enum RequestResult {
        /// The command is queued; its reply is due within `timeout`.
        case sent(sequence: Int, timeout: Duration)
        /// The step sends nothing in this direction: done at once (history row still open).
        case nothingToSend(sequence: Int)
        /// The command could not be built: the saga is parked.
        case parked
    }

    /// Records and queues one request of the current step and phase (for `item` of a step over a list).
    mutating func request(attempt: Int, item: Int?, uncertain: Bool) -> RequestResult {
        let phase = state.phase
        state.requestSequence += 1
        state.requestSentAt = env.now
        let sequence = state.requestSequence
        let requestID = SagaState.requestID(sagaID: state.sagaID, sequence: sequence)
        let step = self.step
        transition.history.append(.started(
            sequence: sequence, requestID: requestID, phase: phase, stepIndex: state.stepIndex, stepName: step.name,
            attempt: attempt, at: env.now, uncertain: uncertain, item: item
        ))
        if !(phase == .forward ? step.sendsCommand : step.compensation?.sendsCommand ?? true) {
            // Nothing to send (a compensation-only step going forward, or a step with nothing to undo): done at once.
            return .nothingToSend(sequence: sequence)
        }
        var context = CommandContext(
            messageID: requestID, sagaID: state.sagaID, sagaType: state.sagaType, causationID: cause,
            replyTo: definition.replyTopic, stepName: step.name, attempt: attempt, occurredAt: env.now
        )
        context.item = item
        let topic: String
        let timeout: Duration
        let command: EncodedPayload
        let what = item.map { "item \($0) of step '\(step.name)'" } ?? "step '\(step.name)'"
        do {
            switch phase {
            case .forward:
                (topic, timeout) = (step.topic, step.timeout)
                command = try step.command(data, context)
            case .compensation:
                guard let compensation = step.compensation else {
                    park("step '\(step.name)' has no compensation")
                    return .parked
                }
                (topic, timeout) = (compensation.topic, compensation.timeout)
                command = try compensation.command(data, context)
            }
        } catch {
            let reason = "cannot build the command of \(what): \(error)"
            lastFailureCode = Self.failureCode(.commandFailed)
            transition.history.append(.finished(sequence: sequence, outcome: .commandFailed, error: reason, at: env.now))
            park(reason)
            return .parked
        }
        var key = "\(state.sagaID):\(phase.rawValue):\(step.name)"
        if let item { key += ":\(item)" }
        var headers = [
            SagaHeader(SagaHeaders.messageID, requestID),
            SagaHeader(SagaHeaders.messageType, command.messageType),
            SagaHeader(SagaHeaders.sagaID, state.sagaID),
            SagaHeader(SagaHeaders.sagaType, state.sagaType),
            SagaHeader(SagaHeaders.replyTo, definition.replyTopic),
            SagaHeader(SagaHeaders.step, step.name),
            SagaHeader(SagaHeaders.attempt, String(attempt)),
            SagaHeader(SagaHeaders.idempotencyKey, key),
        ]
        if let item { headers.append(SagaHeader(SagaHeaders.item, String(item))) }
        if let cause { headers.append(SagaHeader(SagaHeaders.causationID, cause)) }
        transition.commands.append(OutgoingMessage(
            topic: topic, key: Array(state.sagaID.utf8), value: command.payload, headers: headers
        ))
        return .sent(sequence: sequence, timeout: timeout)
    }

    mutating func clearTimer() {
        state.pendingRequestID = nil
        state.deadline = nil
        state.deadlineKind = nil
    }

    // MARK: Events

    mutating func handle(_ reply: StepReply) throws(SagaTransitionError) {
        if step.items != nil, !state.status.isTerminal, state.status != .failed,
            let item = state.listProgress?.items.firstIndex(where: { $0.status == .awaiting && requestID($0) == reply.causationID })
        {
            var reply = reply
            reply.item = item
            return handleItem(reply, item: item, outcome: try interpret(reply))
        }
        guard reply.causationID == state.pendingRequestID, !state.status.isTerminal, state.status != .failed else {
            transition.history.append(.lateReply(
                requestID: reply.causationID, status: reply.status, replyID: reply.messageID, at: env.now
            ))
            return ignore(.lateReply)
        }
        switch try interpret(reply) {
        case .succeeded: succeed(.succeeded, error: nil)
        case .businessFailure(let reason): fail(.businessFailure, reason: reason, retriable: state.phase == .compensation)
        case .retriableFailure(let reason): fail(.retriableFailure, reason: reason, retriable: true)
        }
    }

    /// Runs the step's (or its compensation's) interpreter on `reply`.
    mutating func interpret(_ reply: StepReply) throws(SagaTransitionError) -> ReplyInterpretation {
        let outcome: ReplyInterpretation
        do {
            switch state.phase {
            case .forward: outcome = try step.interpret(reply, &data)
            case .compensation:
                guard let compensation = step.compensation else {
                    throw SagaTransitionError.corruptState(
                        sagaID: state.sagaID, detail: "compensating step '\(step.name)' that has none"
                    )
                }
                outcome = try compensation.interpret(reply, &data)
            }
        } catch let error as SagaTransitionError {
            throw error
        } catch {
            throw .replyRejected(
                sagaID: state.sagaID, step: step.name, messageID: reply.messageID, error: String(describing: error)
            )
        }
        return outcome
    }

    mutating func handleDeadline() {
        guard let deadline = state.deadline, let kind = state.deadlineKind, deadline <= env.now else {
            return ignore(.deadlineNotDue)
        }
        if step.items != nil, state.listProgress != nil { return handleItemDeadlines() }
        switch kind {
        case .replyTimeout:
            let timeout = state.phase == .forward ? step.timeout : (step.compensation?.timeout ?? step.timeout)
            fail(.timedOut, reason: "no reply within \(timeout)", retriable: true)
        case .retryBackoff:
            send(phase: state.phase, stepIndex: state.stepIndex, attempt: state.attempt + 1)
        }
    }

    mutating func retryParked() {
        guard state.status == .failed else { return ignore(.notParked(state.status)) }
        state.status = state.phase == .forward ? .running : .compensating
        if step.items != nil, state.listProgress != nil { return retryItems() }
        send(phase: state.phase, stepIndex: state.stepIndex, attempt: 1)
    }

    mutating func resolveParked(note: String) {
        guard state.status == .failed else { return ignore(.notParked(state.status)) }
        state.status = state.phase == .forward ? .running : .compensating
        if step.items != nil, state.listProgress != nil { return resolveItems(note: note) }
        succeed(.manuallyResolved, error: note)
    }

    // MARK: Outcomes

    /// The current request succeeded (or was resolved by hand): move on.
    mutating func succeed(_ outcome: StepOutcome, error: String?) {
        transition.history.append(.finished(sequence: state.requestSequence, outcome: outcome, error: error, at: env.now))
        stepSucceeded(outcome)
    }

    /// The current step (or its compensation) is done: move to the next one.
    mutating func stepSucceeded(_ outcome: StepOutcome) {
        clearTimer()
        emit(.stepCompleted, step: step.name, attempt: state.attempt, outcome: outcome)
        switch state.phase {
        case .forward:
            if step.kind == .compensatable { state.completedSteps.append(state.stepIndex) }
            let next = state.stepIndex + 1
            if next < definition.steps.count {
                send(phase: .forward, stepIndex: next, attempt: 1)
            } else {
                state.status = .completed
                emit(.completed, step: nil)
            }
        case .compensation:
            if state.completedSteps.last == state.stepIndex { state.completedSteps.removeLast() }
            if state.uncertainStep == state.stepIndex { state.uncertainStep = nil }
            compensateNext()
        }
    }

    /// The current request failed: retry under the policy, or give up on the step.
    mutating func fail(_ outcome: StepOutcome, reason: String, retriable: Bool) {
        transition.history.append(.finished(sequence: state.requestSequence, outcome: outcome, error: reason, at: env.now))
        clearTimer()
        lastFailureCode = Self.failureCode(outcome)
        let name = step.name
        let policy = state.phase == .forward ? step.retry : (step.compensation?.retry ?? step.retry)
        if retriable, policy.allowsRetry(after: state.attempt) {
            let retryAt = env.now.addingTimeInterval(policy.delay(afterAttempt: state.attempt, random: env.random).timeInterval)
            state.deadline = retryAt
            state.deadlineKind = .retryBackoff
            emit(.stepFailed, step: name, reason: reason, attempt: state.attempt, outcome: outcome, retryAt: retryAt)
            return
        }
        emit(.stepFailed, step: name, reason: reason, attempt: state.attempt, outcome: outcome)
        let why = retriable ? "\(reason) (after \(state.attempt) attempt\(state.attempt == 1 ? "" : "s"))" : reason
        // A timeout or a retriable failure leaves the step's outcome unknown: its command may have taken effect.
        let uncertain = outcome == .timedOut || outcome == .retriableFailure
        switch (state.phase, step.kind) {
        case (.forward, .compensatable) where uncertain && step.compensation != nil:
            // Undone as possibly done, first (compensations are idempotent; undoing nothing is a no-op).
            state.completedSteps.append(state.stepIndex)
            state.uncertainStep = state.stepIndex
            beginCompensation(reason: "step '\(name)' failed: \(why); its outcome is uncertain, so it is compensated too")
        case (.forward, .pivot) where uncertain:
            park("pivot step '\(name)' has an uncertain outcome: \(why); it may have taken effect and has no compensation "
                + "(retry it to learn the outcome, or resolve it by hand)")
        case (.forward, .compensatable), (.forward, .pivot):
            beginCompensation(reason: "step '\(name)' failed: \(why)")
        case (.forward, .retriable):
            park("step '\(name)' after the pivot failed: \(why)")
        case (.compensation, _):
            park("compensation of step '\(name)' failed: \(why)")
        }
    }

    mutating func beginCompensation(reason: String) {
        state.status = .compensating
        state.phase = .compensation
        state.failureReason = reason
        emit(.compensating, step: step.name, reason: reason,
             compensations: state.completedSteps.reversed().map { definition.steps[$0].name }, failureCode: lastFailureCode)
        compensateNext()
    }

    mutating func compensateNext() {
        if let last = state.completedSteps.last {
            send(phase: .compensation, stepIndex: last, attempt: 1)
        } else {
            clearTimer()
            state.status = .compensated
            emit(.compensated, step: nil, reason: state.failureReason, failureCode: lastFailureCode)
        }
    }

    /// Parks the saga for a person, keeping phase and step so it can be retried or resolved.
    mutating func park(_ reason: String) {
        clearTimer()
        state.status = .failed
        state.failureReason = reason
        emit(.failed, step: step.name, reason: reason, failureCode: lastFailureCode)
    }
}
