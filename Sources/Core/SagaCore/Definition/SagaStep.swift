import Foundation

/// The role of a step in the saga's consistency model.
public enum StepKind: String, Sendable, Hashable, Codable {
    /// May fail for business reasons; has a compensation that undoes it.
    case compensatable
    /// The go/no-go point: once it succeeds the saga will complete; it has no compensation.
    case pivot
    /// After the pivot: must eventually succeed, so failures are only ever retried.
    case retriable
}

/// What a command builder knows about the message it builds, for the payload's envelope
/// (the contracts' `MessageMetadata`).
public struct CommandContext: Sendable, Hashable {
    /// The command's message id (UUID text); the reply's causation id will be this.
    public var messageID: String
    /// The saga instance (also the Kafka key).
    public var sagaID: String
    /// The saga type.
    public var sagaType: String
    /// The message that caused this command (the reply or start event), if any.
    public var causationID: String?
    /// The topic the participant replies to.
    public var replyTo: String
    /// The step name.
    public var stepName: String
    /// The attempt number (1-based).
    public var attempt: Int
    /// When the command was created.
    public var occurredAt: Date
    /// For a step over a list (see ``SagaStep/items``): the index of the item the command is for.
    public var item: Int? = nil
}

/// Builds the command a step sends from the saga data and the message's context.
public typealias CommandBuilder<SagaData> = @Sendable (SagaData, CommandContext) throws -> EncodedPayload
/// Builds a typed command from the saga data and the message's context.
public typealias TypedCommandBuilder<SagaData> = @Sendable (SagaData, CommandContext) throws -> any SagaPayloadCodable
/// Interprets a reply; may update the saga data (e.g. record a reservation id).
public typealias ReplyInterpreter<SagaData> = @Sendable (StepReply, inout SagaData) throws -> ReplyInterpretation

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
    /// Whether undoing sends a command; `false` for steps with nothing to undo (see ``SagaStep/withoutCompensation()``).
    public internal(set) var sendsCommand = true
    /// Whether it is written per item (``SagaListStep/compensateEach(topic:timeout:retry:onReply:command:)``).
    var perItem = false
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
    /// Whether the step sends a command going forward; `false` for a step that exists only for
    /// its compensation (see ``SagaStep/onCompensation(_:)``), which completes at once.
    public internal(set) var sendsCommand = true
    /// Set for a step over a list: one command per item, in parallel (see ``StepItems``).
    public internal(set) var items: StepItems<SagaData>?

    init(name: String, kind: StepKind, topic: String, command: @escaping CommandBuilder<SagaData>) {
        self.name = name
        self.kind = kind
        self.topic = topic
        self.command = command
        self.interpret = { reply, _ in reply.defaultInterpretation }
        self.timeout = .seconds(30)
        self.retry = kind == .retriable ? .exponential(maxAttempts: 20) : .exponential(maxAttempts: 3)
        self.compensation = nil
    }

    /// A step that can be undone; give it a ``compensate(topic:timeout:retry:command:)``.
    public static func compensatable(
        _ name: String, topic: String, command: @escaping @Sendable (SagaData) throws -> any SagaPayloadCodable
    ) -> SagaStep {
        SagaStep(name: name, kind: .compensatable, topic: topic, command: { data, _ in try EncodedPayload(command(data)) })
    }

    /// As ``compensatable(_:topic:command:)``, with the message's context (ids for the payload's envelope).
    public static func compensatable(
        _ name: String, topic: String, command: @escaping TypedCommandBuilder<SagaData>
    ) -> SagaStep {
        SagaStep(name: name, kind: .compensatable, topic: topic, command: { try EncodedPayload(command($0, $1)) })
    }

    /// The pivot: the last step that may fail for business reasons; no compensation.
    public static func pivot(
        _ name: String, topic: String, command: @escaping @Sendable (SagaData) throws -> any SagaPayloadCodable
    ) -> SagaStep {
        SagaStep(name: name, kind: .pivot, topic: topic, command: { data, _ in try EncodedPayload(command(data)) })
    }

    /// As ``pivot(_:topic:command:)``, with the message's context (ids for the payload's envelope).
    public static func pivot(
        _ name: String, topic: String, command: @escaping TypedCommandBuilder<SagaData>
    ) -> SagaStep {
        SagaStep(name: name, kind: .pivot, topic: topic, command: { try EncodedPayload(command($0, $1)) })
    }

    /// A step after the pivot: retried until it succeeds (or parked for a person when its
    /// retries run out or it reports a business failure).
    public static func retriable(
        _ name: String, topic: String, command: @escaping @Sendable (SagaData) throws -> any SagaPayloadCodable
    ) -> SagaStep {
        SagaStep(name: name, kind: .retriable, topic: topic, command: { data, _ in try EncodedPayload(command(data)) })
    }

    /// As ``retriable(_:topic:command:)``, with the message's context (ids for the payload's envelope).
    public static func retriable(
        _ name: String, topic: String, command: @escaping TypedCommandBuilder<SagaData>
    ) -> SagaStep {
        SagaStep(name: name, kind: .retriable, topic: topic, command: { try EncodedPayload(command($0, $1)) })
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
        onReply interpret: @escaping ReplyInterpreter<SagaData> = { reply, _ in reply.defaultInterpretation },
        command: @escaping @Sendable (SagaData) throws -> any SagaPayloadCodable
    ) -> SagaStep {
        compensate(topic: topic, timeout: timeout, retry: retry, onReply: interpret) { data, _ in try command(data) }
    }

    /// As ``compensate(topic:timeout:retry:onReply:command:)``, with the message's context.
    public func compensate(
        topic: String,
        timeout: Duration = .seconds(30),
        retry: RetryPolicy = .exponential(maxAttempts: 10),
        onReply interpret: @escaping ReplyInterpreter<SagaData> = { reply, _ in reply.defaultInterpretation },
        command: @escaping TypedCommandBuilder<SagaData>
    ) -> SagaStep {
        var copy = self
        copy.compensation = Compensation(
            topic: topic, command: { try EncodedPayload(command($0, $1)) }, interpret: interpret,
            timeout: timeout, retry: retry
        )
        return copy
    }
}
