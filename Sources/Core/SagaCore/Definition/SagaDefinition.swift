/// Collects the steps of a saga definition in the order they run.
@resultBuilder
public enum SagaStepsBuilder<SagaData: Sendable> {
    /// Combines statements into the ordered list of steps.
    public static func buildBlock(_ steps: [SagaStep<SagaData>]...) -> [SagaStep<SagaData>] { steps.flatMap { $0 } }
    /// Lifts one step into a list.
    public static func buildExpression(_ step: SagaStep<SagaData>) -> [SagaStep<SagaData>] { [step] }
    /// Supports `if` without `else`.
    public static func buildOptional(_ steps: [SagaStep<SagaData>]?) -> [SagaStep<SagaData>] { steps ?? [] }
    /// Supports `if`/`else` (first branch).
    public static func buildEither(first steps: [SagaStep<SagaData>]) -> [SagaStep<SagaData>] { steps }
    /// Supports `if`/`else` (second branch).
    public static func buildEither(second steps: [SagaStep<SagaData>]) -> [SagaStep<SagaData>] { steps }
    /// Supports `for` loops.
    public static func buildArray(_ steps: [[SagaStep<SagaData>]]) -> [SagaStep<SagaData>] { steps.flatMap { $0 } }
}

/// Why a saga definition is not valid.
public enum SagaDefinitionError: Error, Hashable, CustomStringConvertible {
    /// The definition has no steps.
    case noSteps(saga: String)
    /// Two steps share a name.
    case duplicateStepName(saga: String, step: String)
    /// More than one pivot step.
    case multiplePivots(saga: String, steps: [String])
    /// A compensatable step comes after the pivot or after a retriable step.
    case compensatableAfterPivot(saga: String, step: String)
    /// A compensatable step declares no compensation.
    case missingCompensation(saga: String, step: String)
    /// A pivot or retriable step declares a compensation (it could never run).
    case unexpectedCompensation(saga: String, step: String)
    /// The version is not positive.
    case invalidVersion(saga: String, version: Int)
    /// A step over a list has a compensation written for single steps.
    case itemMismatch(saga: String, step: String, detail: String)

    /// A readable description.
    public var description: String {
        switch self {
        case .noSteps(let saga): "saga \(saga): a definition needs at least one step"
        case .duplicateStepName(let saga, let step): "saga \(saga): step name '\(step)' is used twice"
        case .multiplePivots(let saga, let steps): "saga \(saga): only one pivot step is allowed, found \(steps)"
        case .compensatableAfterPivot(let saga, let step):
            "saga \(saga): compensatable step '\(step)' must come before the pivot and retriable steps"
        case .missingCompensation(let saga, let step): "saga \(saga): compensatable step '\(step)' needs a compensation"
        case .unexpectedCompensation(let saga, let step):
            "saga \(saga): step '\(step)' is not compensatable but declares a compensation"
        case .invalidVersion(let saga, let version): "saga \(saga): version must be positive, got \(version)"
        case .itemMismatch(let saga, let step, let detail): "saga \(saga): step '\(step)': \(detail)"
        }
    }
}

/// A versioned saga: its typed data, the topic its replies come back on, and its steps.
///
/// ```swift
/// let order = try SagaDefinition<OrderData>(name: "order", version: 1, replyTopic: "order.replies") {
///     SagaStep.compensatable("reserveStock", topic: "inventory.commands") { ReserveStock(orderID: $0.orderID) }
///         .compensate(topic: "inventory.commands") { ReleaseStock(orderID: $0.orderID) }
///         .timeout(.seconds(5)).retry(.exponential(maxAttempts: 3))
///     SagaStep.pivot("chargeCard", topic: "payments.commands") { ChargeCard(orderID: $0.orderID) }
///     SagaStep.retriable("shipOrder", topic: "shipping.commands") { ShipOrder(orderID: $0.orderID) }
/// }
/// ```
///
/// Steps run in order: compensatable steps first, then at most one pivot, then retriable
/// steps. A saga started under one version finishes under it: keep old versions registered
/// in the ``SagaRegistry`` until no instance of them is running.
public struct SagaDefinition<SagaData: SagaPayloadCodable>: Sendable {
    /// The saga type name (stored on every instance and sent in headers).
    public let name: String
    /// The definition version instances are started under.
    public let version: Int
    /// The topic participants send replies to (the orchestrator consumes it).
    public let replyTopic: String
    /// The steps in execution order.
    public let steps: [SagaStep<SagaData>]

    /// Creates and validates a definition.
    public init(
        name: String, version: Int, replyTopic: String,
        @SagaStepsBuilder<SagaData> steps: () -> [SagaStep<SagaData>]
    ) throws(SagaDefinitionError) {
        self.name = name
        self.version = version
        self.replyTopic = replyTopic
        self.steps = steps()
        try validate()
    }

    private func validateItems(of step: SagaStep<SagaData>) throws(SagaDefinitionError) {
        guard let compensation = step.compensation, compensation.sendsCommand else { return }
        if step.items != nil, !compensation.perItem {
            throw .itemMismatch(saga: name, step: step.name, detail: "a step over a list is undone per item: use compensateEach")
        }
    }

    private func validate() throws(SagaDefinitionError) {
        guard version > 0 else { throw .invalidVersion(saga: name, version: version) }
        guard !steps.isEmpty else { throw .noSteps(saga: name) }
        var seen: Set<String> = []
        for step in steps where !seen.insert(step.name).inserted {
            throw .duplicateStepName(saga: name, step: step.name)
        }
        let pivots = steps.filter { $0.kind == .pivot }.map(\.name)
        guard pivots.count <= 1 else { throw .multiplePivots(saga: name, steps: pivots) }
        var pastPivot = false
        for step in steps {
            switch step.kind {
            case .compensatable:
                if pastPivot { throw .compensatableAfterPivot(saga: name, step: step.name) }
                if step.compensation == nil { throw .missingCompensation(saga: name, step: step.name) }
            case .pivot, .retriable:
                pastPivot = true
                if step.compensation != nil { throw .unexpectedCompensation(saga: name, step: step.name) }
            }
            try validateItems(of: step)
        }
    }
}
