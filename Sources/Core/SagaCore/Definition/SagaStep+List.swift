/// How a step over a list fans out: the items of the saga data and how many of their requests
/// may be outstanding at once.
///
/// The item list is read from the saga data when the step begins; it must not change while the
/// saga runs (its length is kept in the saga's state, and compensations address items by index).
public struct StepItems<SagaData: Sendable>: Sendable {
    /// At most this many items have a request outstanding (sent, or waiting to be sent again);
    /// `nil`: all at once.
    public internal(set) var limit: Int?
    /// How many items `data` holds.
    public let count: @Sendable (SagaData) -> Int
}

/// A step over a list: one command per item of a list in the saga data, sent in parallel.
/// Write it inside a ``SagaDefinition`` like any step:
///
/// ```swift
/// SagaStep.compensatable("collectShares", topic: "account.commands", forEach: \.shares) { data, share, context in
///     DebitPayer(...)                          // one per share, all at once (or .limit(n) at a time)
/// }
/// .timeout(.seconds(10)).retry(.exponential(maxAttempts: 3))
/// .compensateEach(topic: "account.commands") { data, share, context in
///     RefundPayer(...)                         // only for the shares that were (or may have been) collected
/// }
/// ```
///
/// The step completes when every item has succeeded. Each item has its own timeout and retries
/// under the step's policy. When an item fails for good (a business failure, or its retries run
/// out) a compensatable step stops sending, and the saga compensates: first this step's items
/// that succeeded or whose outcome is unknown (still in flight, or timed out), last item first,
/// then the earlier steps, newest first. Items never sent and items refused need no undo. After
/// the pivot (``SagaStep/retriable(_:topic:forEach:command:)``) a failed item parks the saga, as
/// a single step does; an operator's `retry` sends the unfinished items again, `resolve`
/// declares them done.
///
/// Replies carry ``StepReply/item``, the index of the item they answer, for ``onReply(_:)``.
/// Commands carry ``CommandContext/item`` and the ``SagaHeaders/item`` header; the idempotency
/// key of an item's command ends in `:<index>`, so participants keep each item's effect apart.
public struct SagaListStep<SagaData: Sendable, Item>: Sendable {
    /// The step as the definition holds it.
    public private(set) var step: SagaStep<SagaData>
    /// The items of the saga data.
    let items: @Sendable (SagaData) -> [Item]

    init(_ step: SagaStep<SagaData>, items: @escaping @Sendable (SagaData) -> [Item]) {
        var step = step
        step.items = StepItems(limit: nil, count: { items($0).count })
        self.step = step
        self.items = items
    }

    /// Sends at most `limit` items' requests at a time (at least 1).
    public func limit(_ limit: Int) -> Self { with { $0.items?.limit = max(1, limit) } }

    /// Interprets each item's reply with `interpret` (``StepReply/item`` says which item).
    public func onReply(_ interpret: @escaping ReplyInterpreter<SagaData>) -> Self { with { $0 = $0.onReply(interpret) } }

    /// Sets how long to wait for each item's reply.
    public func timeout(_ timeout: Duration) -> Self { with { $0 = $0.timeout(timeout) } }

    /// Sets the retry policy of each item.
    public func retry(_ policy: RetryPolicy) -> Self { with { $0 = $0.retry(policy) } }

    /// The undo of one item: sent for each item that succeeded or whose outcome is unknown,
    /// retried until acknowledged (by default up to 10 times, then the saga parks).
    public func compensateEach(
        topic: String,
        timeout: Duration = .seconds(30),
        retry: RetryPolicy = .exponential(maxAttempts: 10),
        onReply interpret: @escaping ReplyInterpreter<SagaData> = { reply, _ in reply.defaultInterpretation },
        command: @escaping @Sendable (SagaData, Item, CommandContext) throws -> any SagaPayloadCodable
    ) -> Self {
        let (name, items) = (step.name, self.items)
        var compensation = Compensation<SagaData>(
            topic: topic,
            command: { data, context in
                let list = items(data)
                guard let index = context.item, list.indices.contains(index) else { throw NoCommandError(step: name) }
                return try EncodedPayload(command(data, list[index], context))
            },
            interpret: interpret, timeout: timeout, retry: retry
        )
        compensation.perItem = true
        return with { $0.compensation = compensation }
    }

    /// Declares that undoing the items needs no command (they changed nothing, e.g. validations).
    public func withoutCompensation() -> Self { with { $0 = $0.withoutCompensation() } }

    private func with(_ change: (inout SagaStep<SagaData>) -> Void) -> Self {
        var copy = self
        change(&copy.step)
        return copy
    }
}

extension SagaStep {
    /// A compensatable step over the list `items(data)`: one command per item (see ``SagaListStep``).
    public static func compensatable<Item>(
        _ name: String, topic: String, forEach items: @escaping @Sendable (SagaData) -> [Item],
        command: @escaping @Sendable (SagaData, Item, CommandContext) throws -> any SagaPayloadCodable
    ) -> SagaListStep<SagaData, Item> {
        listStep(name, kind: .compensatable, topic: topic, items: items, command: command)
    }

    /// A step after the pivot over the list `items(data)`: each item is retried until it
    /// succeeds (or the saga parks for a person when its retries run out or it is refused).
    public static func retriable<Item>(
        _ name: String, topic: String, forEach items: @escaping @Sendable (SagaData) -> [Item],
        command: @escaping @Sendable (SagaData, Item, CommandContext) throws -> any SagaPayloadCodable
    ) -> SagaListStep<SagaData, Item> {
        listStep(name, kind: .retriable, topic: topic, items: items, command: command)
    }

    /// A compensation-only step over a list (see ``onCompensation(_:)``): nothing goes forward;
    /// when the saga is undone, ``SagaListStep/compensateEach(topic:timeout:retry:onReply:command:)``
    /// sends one command per item of `items(data)` (e.g. tell every party of a failed payment why).
    public static func onCompensation<Item>(_ name: String, forEach items: @escaping @Sendable (SagaData) -> [Item])
        -> SagaListStep<SagaData, Item>
    {
        SagaListStep(onCompensation(name), items: items)
    }

    private static func listStep<Item>(
        _ name: String, kind: StepKind, topic: String, items: @escaping @Sendable (SagaData) -> [Item],
        command: @escaping @Sendable (SagaData, Item, CommandContext) throws -> any SagaPayloadCodable
    ) -> SagaListStep<SagaData, Item> {
        let step = SagaStep(name: name, kind: kind, topic: topic) { data, context in
            let list = items(data)
            guard let index = context.item, list.indices.contains(index) else { throw NoCommandError(step: name) }
            return try EncodedPayload(command(data, list[index], context))
        }
        return SagaListStep(step, items: items)
    }
}

extension SagaStepsBuilder {
    /// Lifts a step over a list into the list of steps.
    public static func buildExpression<Item>(_ step: SagaListStep<SagaData, Item>) -> [SagaStep<SagaData>] { [step.step] }
}
