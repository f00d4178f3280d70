import Foundation
import SagaCore

extension SagaScenario {
    /// The commands sent for `step`, in order; only its forward commands or only its compensations
    /// when `phase` is given; only those for one item of a step over a list when `item` is given.
    public func commands(for step: String, phase: SagaPhase? = nil, item: Int? = nil) -> [SentCommand] {
        sentCommands.filter { $0.step == step && (phase == nil || $0.phase == phase) && (item == nil || $0.item == item) }
    }

    /// For a step over a list: the items whose reply is awaited now, by index (none while the saga
    /// is parked or ended: replies are then not acted on).
    public var awaitedItems: [Int] {
        guard state.status == .running || state.status == .compensating else { return [] }
        return state.listProgress?.items.indices.filter { state.listProgress?.items[$0].status == .awaiting } ?? []
    }

    /// For a step over a list: the items of the current phase that are done (succeeded, or undone when compensating).
    public var doneItems: [Int] {
        state.listProgress?.items.indices.filter { state.listProgress?.items[$0].status == .done } ?? []
    }

    /// The last command sent for `step` (its compensation, once one was sent).
    public func lastCommand(for step: String) throws -> SentCommand {
        guard let command = sentCommands.last(where: { $0.step == step }) else {
            throw SagaScenarioError.noCommandSent(step: step)
        }
        return command
    }

    /// The last command sent for `step`, decoded as `T`.
    public func lastCommand<T: SagaPayloadCodable>(for step: String, as type: T.Type) throws -> T {
        try lastCommand(for: step).decode(type)
    }

    /// The steps whose compensation completed (sent and acknowledged, passed over because it sends
    /// nothing, or resolved by hand), in the order they were undone.
    /// A step over a list counts once, however many items it undid.
    public var compensations: [String] {
        Self.steps(attempts.filter { $0.phase == .compensation && ($0.outcome == .succeeded || $0.outcome == .manuallyResolved) })
    }

    /// The steps that completed going forward, in order (steps that send nothing included).
    /// A step over a list counts once, however many items it had.
    public var completedSteps: [String] {
        Self.steps(attempts.filter { $0.phase == .forward && ($0.outcome == .succeeded || $0.outcome == .manuallyResolved) })
    }

    /// The step names of `rows`, with consecutive rows of one step over a list counted once.
    static func steps(_ rows: [StepAttemptRecord]) -> [String] {
        var names: [String] = []
        var previous: StepAttemptRecord?
        for row in rows {
            defer { previous = row }
            if row.item != nil, let previous, previous.item != nil, previous.stepIndex == row.stepIndex { continue }
            names.append(row.stepName)
        }
        return names
    }

    /// The kinds of the lifecycle events, in order.
    public var lifecycleKinds: [SagaLifecycleKind] { lifecycle.map(\.kind) }

    /// One row per request, as the store's history shows it (``SagaStore/history(sagaID:)``):
    /// phase, step, attempt, outcome, error, late reply.
    public var attempts: [StepAttemptRecord] {
        var rows: [StepAttemptRecord] = []
        var rowOfRequest: [String: Int] = [:]
        for change in history {
            switch change {
            case .started(let sequence, let requestID, let phase, let stepIndex, let stepName, let attempt, let at, let uncertain, let item):
                rowOfRequest[requestID] = rows.count
                rows.append(StepAttemptRecord(
                    sequence: sequence, requestID: requestID, phase: phase, stepIndex: stepIndex, stepName: stepName,
                    attempt: attempt, startedAt: at, compensatesUncertainStep: uncertain, item: item
                ))
            case .finished(let sequence, let outcome, let error, let at):
                guard let index = rows.lastIndex(where: { $0.sequence == sequence }) else { continue }
                rows[index].finishedAt = at
                rows[index].outcome = outcome
                rows[index].error = error
            case .lateReply(let requestID, let status, let replyID, let at):
                guard let index = rowOfRequest[requestID] else { continue }
                rows[index].lateReply = LateReply(status: status, replyID: replyID, at: at)
            }
        }
        return rows
    }

    /// The replies that arrived for requests no longer awaited (redeliveries, answers to timed-out
    /// attempts, replies after the end), in order: recorded, not acted on.
    public var lateReplies: [StepHistoryChange] {
        history.filter { if case .lateReply = $0 { true } else { false } }
    }
}
