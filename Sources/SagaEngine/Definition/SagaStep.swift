/// The role of a step in the saga's consistency model.
public enum StepKind: String, Sendable, Hashable, Codable {
    /// May fail for business reasons; has a compensation that undoes it.
    case compensatable
    /// The go/no-go point: once it succeeds the saga will complete; it has no compensation.
    case pivot
    /// After the pivot: must eventually succeed, so failures are only ever retried.
    case retriable
}

/// Builds the command a step sends from the saga data.
public typealias CommandBuilder<SagaData> = @Sendable (SagaData) throws -> SagaCommand
/// Interprets a reply; may update the saga data (e.g. record a reservation id).
public typealias ReplyInterpreter<SagaData> = @Sendable (SagaReply, inout SagaData) throws -> ReplyOutcome

/// The undo of a compensatable step: a command that is retried until acknowledged.
public struct Compensation<SagaData: Sendable>: Sendable {
    /// The participant's command topic.
    public var topic: String
    /// Builds the compensation command.
    public var command: CommandBuilder<SagaData>
    /// Interprets the participant's answer (by default its ``ReplyStatus``; a business
    /// failure of a compensation is retried like a transient one: the undo must happen).
    public var interpret: ReplyInterpreter<SagaData>
    /// How long to wait for an answer before sending again.
    public var timeout: Duration
    /// How often to send again before parking the saga as failed.
    public var retry: RetryPolicy
}

/// One step of a saga: a command to a participant, how its reply is read, its undo, its
/// timeout and its retry policy. Create with ``compensatable(_:topic:command:)``,
/// ``pivot(_:topic:command:)`` or ``retriable(_:topic:command:)`` and refine with modifiers.
public struct SagaStep<SagaData: Sendable>: Sendable {
    /// The step name, unique within the definition (shown in status and history).
    public var name: String
    /// The step's role.
    public var kind: StepKind
    /// The participant's command topic.
    public var topic: String
    /// Builds the command.
    public var command: CommandBuilder<SagaData>
    /// Interprets the reply (default: the reply's status).
    public var interpret: ReplyInterpreter<SagaData>
    /// How long to wait for a reply before treating the attempt as failed (retriable).
    public var timeout: Duration
    /// Retries of a retriable failure or timeout before the saga compensates (or, after the pivot, parks).
    public var retry: RetryPolicy
    /// The undo; required for compensatable steps, absent otherwise.
    public var compensation: Compensation<SagaData>?

    init(name: String, kind: StepKind, topic: String, command: @escaping CommandBuilder<SagaData>) {
        self.name = name
        self.kind = kind
        self.topic = topic
        self.command = command
        self.interpret = { reply, _ in reply.defaultOutcome }
        self.timeout = .seconds(30)
        self.retry = kind == .retriable ? .exponential(maxAttempts: 20) : .exponential(maxAttempts: 3)
        self.compensation = nil
    }

    /// A step that can be undone; give it a ``compensate(topic:timeout:retry:command:)``.
    public static func compensatable(
        _ name: String, topic: String, command: @escaping @Sendable (SagaData) throws -> any SagaPayloadCodable
    ) -> SagaStep {
        SagaStep(name: name, kind: .compensatable, topic: topic, command: { try SagaCommand(command($0)) })
    }

    /// The pivot: the last step that may fail for business reasons; no compensation.
    public static func pivot(
        _ name: String, topic: String, command: @escaping @Sendable (SagaData) throws -> any SagaPayloadCodable
    ) -> SagaStep {
        SagaStep(name: name, kind: .pivot, topic: topic, command: { try SagaCommand(command($0)) })
    }

    /// A step after the pivot: retried until it succeeds (or parked for a person when its
    /// retries run out or it reports a business failure).
    public static func retriable(
        _ name: String, topic: String, command: @escaping @Sendable (SagaData) throws -> any SagaPayloadCodable
    ) -> SagaStep {
        SagaStep(name: name, kind: .retriable, topic: topic, command: { try SagaCommand(command($0)) })
    }

    /// Interprets replies with `interpret` instead of the reply status alone.
    public func onReply(_ interpret: @escaping ReplyInterpreter<SagaData>) -> SagaStep {
        var copy = self
        copy.interpret = interpret
        return copy
    }

    /// Sets how long to wait for a reply.
    public func timeout(_ timeout: Duration) -> SagaStep {
        var copy = self
        copy.timeout = timeout
        return copy
    }

    /// Sets the retry policy for retriable failures and timeouts.
    public func retry(_ policy: RetryPolicy) -> SagaStep {
        var copy = self
        copy.retry = policy
        return copy
    }

    /// Declares the undo of this step: a command sent in reverse order when a later step
    /// fails, retried until acknowledged (by default up to 10 times, then the saga parks).
    public func compensate(
        topic: String,
        timeout: Duration = .seconds(30),
        retry: RetryPolicy = .exponential(maxAttempts: 10),
        onReply interpret: @escaping ReplyInterpreter<SagaData> = { reply, _ in reply.defaultOutcome },
        command: @escaping @Sendable (SagaData) throws -> any SagaPayloadCodable
    ) -> SagaStep {
        var copy = self
        copy.compensation = Compensation(
            topic: topic, command: { try SagaCommand(command($0)) }, interpret: interpret,
            timeout: timeout, retry: retry
        )
        return copy
    }
}
