import Foundation
import Tracing

/// What an operator sees of one saga.
public struct SagaStatusReport: Sendable, Hashable {
    /// The stored state: status, phase, attempt, deadline, failure reason, versions.
    public var state: SagaState
    /// The name of the step being executed or compensated (or where it is parked).
    public var currentStep: String?
    /// One record per request sent, oldest first.
    public var history: [StepAttemptRecord]
}

/// The orchestrator's processing core: turns start requests, replies, due timers and operator
/// commands into state-machine transitions and writes each one — inbox entry, new state,
/// history, commands, lifecycle events and the saga's timeline entries — in one store transaction.
///
/// It knows nothing of Kafka: ``SagaOrchestratorService`` feeds it consumed messages and the
/// ``OutboxRelay`` publishes what it wrote. Safe to call concurrently; concurrent writes to one
/// saga are serialised by the store's optimistic versions and retried here.
public struct SagaOrchestrator: Sendable {
    /// The definitions this orchestrator runs.
    public let registry: SagaRegistry
    /// The durable state.
    public let store: any SagaStore
    /// The consumer name inbox entries are recorded under.
    public let consumerName: String
    /// The lifecycle-event topic.
    public let lifecycleTopic: String
    /// Encodes lifecycle events.
    public let lifecycleEncoder: any SagaLifecycleEncoder
    /// Rung after every commit that wrote outbox rows.
    public let outboxDoorbell: Doorbell
    /// Told about every committed timer; wakes the timer service when one is due earlier than it planned.
    public let timers: TimerSchedule
    /// Called after every committed state change with the new state (metrics, tests, benchmarks).
    public let observer: (@Sendable (SagaState) -> Void)?
    /// Counts sagas started and ended and times step requests.
    public let metrics: SagaMetrics
    /// Records a span per step attempt.
    public let stepSpans: SagaStepSpans
    /// Which messages each commit keeps in the saga's timeline (`SAGA_TIMELINE_MESSAGES`).
    public let timelineRetention: SagaTimelineRetention
    /// Which lifecycle events are published (`SAGA_LIFECYCLE_EVENTS`).
    public let lifecycleEvents: SagaLifecycleEvents
    let environment: @Sendable () -> TransitionEnvironment
    private let maxConflictRetries = 16

    /// Creates an orchestrator core.
    public init(
        registry: SagaRegistry, store: any SagaStore, consumerName: String = "saga-orchestrator",
        lifecycleTopic: String = "saga.events", lifecycleEncoder: any SagaLifecycleEncoder,
        outboxDoorbell: Doorbell = Doorbell(), timers: TimerSchedule = TimerSchedule(),
        observer: (@Sendable (SagaState) -> Void)? = nil, metrics: SagaMetrics = SagaMetrics(), tracer: (any Tracer)? = nil,
        timelineRetention: SagaTimelineRetention = .all, lifecycleEvents: SagaLifecycleEvents = .all,
        environment: @escaping @Sendable () -> TransitionEnvironment = { .live() }
    ) {
        self.timelineRetention = timelineRetention
        self.lifecycleEvents = lifecycleEvents
        self.observer = observer
        self.metrics = metrics
        self.stepSpans = SagaStepSpans(tracer: tracer)
        self.registry = registry
        self.store = store
        self.consumerName = consumerName
        self.lifecycleTopic = lifecycleTopic
        self.lifecycleEncoder = lifecycleEncoder
        self.outboxDoorbell = outboxDoorbell
        self.timers = timers
        self.environment = environment
    }

    /// What happened to a start request.
    public enum StartResult: Sendable, Hashable {
        /// A new instance was created and its first command written to the outbox.
        case started
        /// An instance with this id exists: nothing changed (a repeated start is idempotent).
        case alreadyExists
        /// The start message was processed before.
        case duplicateMessage
    }

    /// What happened to an event for an existing saga.
    public enum EventResult: Sendable, Hashable {
        /// The saga moved on; its new status.
        case applied(SagaStatus)
        /// Recorded but without effect (late reply, stale timer, operator command for a saga that is not parked).
        case ignored(IgnoredReason)
        /// The message was processed before.
        case duplicateMessage
    }

    /// Starts a saga of the latest version of `sagaType` with encoded `data`. Idempotent per saga id.
    /// `causationID` defaults to the start message's id. `trace` (the start event's W3C trace
    /// context; a fresh one when `nil`) is kept with the saga and sent on all its messages.
    public func start(
        sagaType: String, sagaID: String, data: [UInt8], inbox: InboxEntry? = nil, causationID: String? = nil,
        trace: TraceContext? = nil
    ) async throws(SagaRuntimeError) -> StartResult {
        guard let definition = registry.latest(sagaType) else { throw .unknownSagaType(sagaType, version: nil) }
        if try await wrap({ () async throws(SagaStoreError) in try await store.load(sagaID: sagaID) }) != nil {
            if let inbox { _ = try await commit(SagaCommit(inbox: inbox)) }
            return .alreadyExists
        }
        let change = try planStart(
            definition: definition, sagaID: sagaID, data: data, inbox: inbox, causationID: causationID, trace: trace
        )
        let result = try await commit(change)
        switch result {
        case .committed: return .started
        case .duplicateMessage: return .duplicateMessage
        case .sagaExists:
            if let inbox { _ = try await commit(SagaCommit(inbox: inbox)) }
            return .alreadyExists
        }
    }

    /// Applies a participant's reply, recorded under `inbox` so a redelivery has no effect.
    public func handle(reply: StepReply, inbox: InboxEntry?) async throws(SagaRuntimeError) -> EventResult {
        try await apply(.reply(reply), to: reply.sagaID, inbox: inbox)
    }

    /// Makes the audit entry of an operator's action from its result, known before the change
    /// is committed; the entry is committed with the change.
    public typealias Auditing = @Sendable (EventResult) -> AuditWrite

    /// Asks a parked saga to try its stuck request again. With `audit`, the action's audit entry
    /// is written in the same transaction as its effect (the store must be an ``AuditTrail``).
    public func retry(sagaID: String, audit: Auditing? = nil) async throws(SagaRuntimeError) -> EventResult {
        try await apply(.retry, to: sagaID, inbox: nil, audit: audit)
    }

    /// Declares a parked saga's stuck step done by hand; the saga goes on. With `audit`, as
    /// ``retry(sagaID:audit:)``.
    public func resolve(sagaID: String, note: String, audit: Auditing? = nil) async throws(SagaRuntimeError) -> EventResult {
        try await apply(.resolve(note: note), to: sagaID, inbox: nil, audit: audit)
    }

    /// A timer that could not be fired, and why.
    public struct TimerFailure: Sendable {
        /// The saga.
        public var sagaID: String
        /// What went wrong.
        public var error: SagaRuntimeError
    }

    /// Fires up to `batch` timers due at `now`, earliest first; returns how many sagas changed and
    /// which timers failed (they stay due and are tried again on the next call).
    public func fireDueTimers(now: Date = Date(), batch: Int = 256) async throws(SagaRuntimeError)
        -> (changed: Int, failures: [TimerFailure])
    {
        let due = try await wrap { () async throws(SagaStoreError) in try await store.dueSagas(now: now, limit: batch) }
        var changed = 0
        var failures: [TimerFailure] = []
        for state in due {
            do {
                if case .applied = try await apply(.deadlineReached, to: state.sagaID, inbox: nil) { changed += 1 }
            } catch {
                failures.append(TimerFailure(sagaID: state.sagaID, error: error))
            }
        }
        return (changed, failures)
    }

    /// A saga's status: its state (with the failure reason of a parked saga), the step it is at,
    /// and the history of every request; `nil` for an unknown id.
    public func status(sagaID: String) async throws(SagaRuntimeError) -> SagaStatusReport? {
        guard let state = try await wrap({ () async throws(SagaStoreError) in try await store.load(sagaID: sagaID) }) else {
            return nil
        }
        let history = try await wrap { () async throws(SagaStoreError) in try await store.history(sagaID: sagaID) }
        let stepNames = registry.definition(state.sagaType, version: state.definitionVersion)?.stepNames ?? []
        let step = stepNames.indices.contains(state.stepIndex) ? stepNames[state.stepIndex] : nil
        return SagaStatusReport(state: state, currentStep: step, history: history)
    }

    /// Starts a saga with typed data (see ``start(sagaType:sagaID:data:inbox:causationID:)``).
    public func start<SagaData: SagaPayloadCodable>(sagaType: String, sagaID: String, data: SagaData) async throws
        -> StartResult
    {
        try await start(sagaType: sagaType, sagaID: sagaID, data: data.encodePayload())
    }

    // MARK: Internals

    private func apply(
        _ event: SagaEvent, to sagaID: String, inbox: InboxEntry?, audit: Auditing? = nil
    ) async throws(SagaRuntimeError) -> EventResult {
        for _ in 0..<maxConflictRetries {
            guard let state = try await wrap({ () async throws(SagaStoreError) in try await store.load(sagaID: sagaID) }) else {
                throw .unknownSaga(sagaID)
            }
            var change = try plan(event, to: state, inbox: inbox)
            let outcome: EventResult = change.transition?.ignored.map { .ignored($0) }
                ?? .applied(change.transition?.state.status ?? state.status)
            if let audit { change.write.audit = audit(outcome) }
            let result: CommitResult
            do {
                result = try await commit(change)
            } catch {
                if case .store(.versionConflict) = error { continue }
                throw error
            }
            switch result {
            case .duplicateMessage: return .duplicateMessage
            case .committed, .sagaExists: return outcome
            }
        }
        throw .tooManyConflicts(sagaID: sagaID, attempts: maxConflictRetries)
    }

    /// What starting a saga writes: its first state, history, commands, lifecycle events and
    /// timeline, with the start message's inbox entry.
    func planStart(
        definition: any AnySagaDefinition, sagaID: String, data: [UInt8], inbox: InboxEntry?, causationID: String?, trace: TraceContext?
    ) throws(SagaRuntimeError) -> PlannedChange {
        var transition: SagaTransition
        let environment = environment()
        do {
            transition = try definition.start(
                sagaID: sagaID, data: data, causationID: causationID ?? inbox?.messageID, environment: environment
            )
        } catch {
            throw .transition(error)
        }
        let trace = trace ?? TraceContext.random()
        transition.state.traceParent = trace.traceparent
        transition.state.traceState = trace.tracestate
        let lifecycle = try lifecycleMessages(transition)
        let timeline = SagaTimelineRecorder(retention: timelineRetention).entries(
            for: transition, event: nil, before: nil, stepNames: definition.stepNames, lifecycle: lifecycle, inbox: inbox,
            at: environment.now
        )
        let write = SagaCommit(
            inbox: inbox, saga: .insert(transition.state), sagaID: sagaID, history: transition.history,
            outbox: traced(transition.commands + lifecycle.map(\.message), transition.state), timeline: timeline
        )
        return PlannedChange(write: write, transition: transition, requestSentAt: nil)
    }

    /// What applying `event` to the stored `state` writes.
    func plan(_ event: SagaEvent, to state: SagaState, inbox: InboxEntry?) throws(SagaRuntimeError) -> PlannedChange {
        guard let definition = registry.definition(state.sagaType, version: state.definitionVersion) else {
            throw .unknownSagaType(state.sagaType, version: state.definitionVersion)
        }
        let transition: SagaTransition
        let environment = environment()
        do {
            transition = try definition.apply(event, to: state, environment: environment)
        } catch {
            throw .transition(error)
        }
        let lifecycle = try lifecycleMessages(transition)
        let timeline = SagaTimelineRecorder(retention: timelineRetention).entries(
            for: transition, event: event, before: state, stepNames: definition.stepNames, lifecycle: lifecycle, inbox: inbox,
            at: environment.now
        )
        let write = SagaCommit(
            inbox: inbox, saga: transition.changedState ? .update(transition.state) : nil, sagaID: state.sagaID,
            history: transition.history, outbox: traced(transition.commands + lifecycle.map(\.message), state), timeline: timeline
        )
        // States written before v4 of the schema lack the send time; a first attempt was sent when its step started.
        let sentAt = state.requestSentAt ?? (state.attempt == 1 ? state.stepStartedAt : nil)
        return PlannedChange(write: write, transition: transition, requestSentAt: sentAt)
    }

    /// The lifecycle events of `transition` that ``lifecycleEvents`` publishes, each with its message.
    private func lifecycleMessages(_ transition: SagaTransition) throws(SagaRuntimeError)
        -> [(event: SagaLifecycleEvent, message: OutgoingMessage)]
    {
        var messages: [(event: SagaLifecycleEvent, message: OutgoingMessage)] = []
        for event in transition.lifecycle where lifecycleEvents.publishes(event.kind) {
            do {
                messages.append((event, event.outgoing(topic: lifecycleTopic, encoded: try lifecycleEncoder.encode(event))))
            } catch {
                throw .lifecycleEncoding(event: event.kind, sagaID: event.sagaID, error: String(describing: error))
            }
        }
        return messages
    }

    /// `messages` with the saga's trace context in their headers (sagas started before the
    /// engine kept one go without).
    private func traced(_ messages: [OutgoingMessage], _ state: SagaState) -> [OutgoingMessage] {
        guard let parent = state.traceParent, let trace = TraceContext(traceparent: parent, tracestate: state.traceState) else {
            return messages
        }
        return messages.map { message in
            var message = message
            message.headers = trace.replacing(in: message.headers)
            return message
        }
    }

    /// Commits `change`; once committed, rings the outbox doorbell and runs ``committed(_:)``.
    private func commit(_ change: PlannedChange) async throws(SagaRuntimeError) -> CommitResult {
        let result = try await wrap { () async throws(SagaStoreError) in try await store.commit(change.write) }
        if case .committed = result {
            if !change.write.outbox.isEmpty || change.write.audit?.message != nil { await outboxDoorbell.ring() }
            await committed(change)
        }
        return result
    }

    /// Commits a change without a transition (an inbox entry alone).
    private func commit(_ write: SagaCommit) async throws(SagaRuntimeError) -> CommitResult {
        try await commit(PlannedChange(write: write, transition: nil, requestSentAt: nil))
    }

    /// After a committed state change: tells the timer service about its deadline, the observer,
    /// the metrics, and records the spans of the step attempts it ended.
    func committed(_ change: PlannedChange) async {
        guard let transition = change.transition, transition.changedState else { return }
        if let deadline = transition.state.deadline { await timers.scheduled(deadline) }
        observer?(transition.state)
        metrics.record(transition, requestSentAt: change.requestSentAt)
        stepSpans.record(transition, requestSentAt: change.requestSentAt)
    }

    func wrap<T>(_ body: () async throws(SagaStoreError) -> T) async throws(SagaRuntimeError) -> T {
        do {
            return try await body()
        } catch {
            throw .store(error)
        }
    }
}

/// A change the orchestrator decided on: what to write in one commit, and the transition whose
/// effects (timers, metrics, spans) follow once it is committed.
struct PlannedChange: Sendable {
    /// What to write.
    var write: SagaCommit
    /// The state machine's transition, if the change came from one.
    var transition: SagaTransition?
    /// When the attempt the event answers was sent.
    var requestSentAt: Date?
}
