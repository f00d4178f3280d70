/// Steps that send nothing in one direction: actions that belong only to undoing a saga
/// (cancel the order, tell the customer it failed), and steps with nothing to undo (a validation).
extension SagaStep {
    /// A compensatable step that sends nothing going forward: it completes at once when reached,
    /// and exists for its compensation, which runs only when the saga is undone. Put it before
    /// the steps whose failure should trigger it: compensations run newest first, so
    ///
    /// ```swift
    /// SagaStep.onCompensation("notifyCancelled").compensate(topic: "notification.commands") { ... }
    /// SagaStep.onCompensation("cancelOrder").compensate(topic: "order.commands") { ... }
    /// SagaStep.compensatable("reserveStock", topic: "inventory.commands") { ... }.compensate(...)
    /// ```
    ///
    /// releases the stock, then cancels the order, then notifies, whichever step failed.
    public static func onCompensation(_ name: String) -> SagaStep {
        var step = SagaStep(name: name, kind: .compensatable, topic: "", command: { _, _ in
            throw NoCommandError(step: name)
        })
        step.sendsCommand = false
        return step
    }

    /// Declares that undoing this compensatable step needs no command (it changed nothing, e.g.
    /// a validation): compensation passes over it at once.
    public func withoutCompensation() -> SagaStep {
        var copy = self
        let name = self.name
        var compensation = Compensation<SagaData>(
            topic: "", command: { _, _ in throw NoCommandError(step: name) }, interpret: { reply, _ in reply.defaultInterpretation },
            timeout: .seconds(1), retry: .none
        )
        compensation.sendsCommand = false
        copy.compensation = compensation
        return copy
    }
}

/// A command was asked of a step direction that sends none (never thrown by the state machine,
/// which checks ``SagaStep/sendsCommand`` first).
public struct NoCommandError: Error, Hashable, CustomStringConvertible {
    /// The step.
    public var step: String
    /// A readable description.
    public var description: String { "step '\(step)' sends no command in this direction" }
}
