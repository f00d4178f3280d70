import Foundation
import SagaCore

extension SagaScenario {
    /// The commands sent for `step`, in order; only its forward commands or only its compensations
    /// when `phase` is given.
    public func commands(for step: String, phase: SagaPhase? = nil) -> [SentCommand] {
        sentCommands.filter { $0.step == step && (phase == nil || $0.phase == phase) }
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
    public var compensations: [String] {
        attempts.filter { $0.phase == .compensation && ($0.outcome == .succeeded || $0.outcome == .manuallyResolved) }
            .map(\.stepName)
    }

    /// The steps that completed going forward, in order (steps that send nothing included).
    public var completedSteps: [String] {
        attempts.filter { $0.phase == .forward && ($0.outcome == .succeeded || $0.outcome == .manuallyResolved) }
            .map(\.stepName)
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
            case .started(let sequence, let requestID, let phase, let stepIndex, let stepName, let attempt, let at, let uncertain):
                rowOfRequest[requestID] = rows.count
                rows.append(StepAttemptRecord(
                    sequence: sequence, requestID: requestID, phase: phase, stepIndex: stepIndex, stepName: stepName,
                    attempt: attempt, startedAt: at, compensatesUncertainStep: uncertain
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
