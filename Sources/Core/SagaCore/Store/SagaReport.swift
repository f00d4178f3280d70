import Foundation

/// A saga as operators see it (`sagactl status`, `GET /sagas/{id}`): its state plus its step history.
public struct SagaReport: Sendable, Hashable {
    /// The saga's state.
    public var state: SagaState
    /// Its requests, oldest first.
    public var history: [StepAttemptRecord]

    /// Creates a report.
    public init(state: SagaState, history: [StepAttemptRecord]) {
        self.state = state
        self.history = history
    }

    /// The step the saga is at: the name its latest request in this phase and index had; a
    /// finished saga is shown at the step it ended on (its latest request).
    public var currentStep: String {
        let name = history.last { $0.phase == state.phase && $0.stepIndex == state.stepIndex }?.stepName
            ?? (state.status.isTerminal ? history.last?.stepName : nil)
        return name ?? (state.status.isTerminal ? "-" : "step \(state.stepIndex)")
    }
}
