/// A saga declared once: its definitions (every version still running), the trigger that starts
/// it from a topic, and so every topic it uses.
///
/// Everything that runs sagas wires from registrations: the orchestrator's ``SagaRegistry``
/// (definitions and triggers), topic provisioning (``topics``), and the consumers (reply and
/// start topics). Adding a saga is its own files plus its registration in the list the
/// application runs:
///
/// ```swift
/// let registration = SagaRegistration(
///     definitions: [try BillSettlementSaga.definition(topics: topics)],
///     trigger: BillSettlementSaga.trigger(topic: topics.billSettlementRequested)
/// )
/// ```
public struct SagaRegistration: Sendable {
    /// The saga type every definition and the trigger share.
    public let sagaType: String
    /// The definitions, one per version (new instances start under the newest).
    public let definitions: [any AnySagaDefinition]
    /// How the saga starts from a consumed event; `nil` for a saga started only through
    /// ``SagaOrchestrator/start(sagaType:sagaID:data:inbox:causationID:trace:)``.
    public let trigger: SagaTrigger?

    /// Registers `definitions` (versions of one saga type) with an optional `trigger`.
    ///
    /// - Throws: ``SagaRegistryError`` when the definitions are empty, name different saga
    ///   types, repeat a version, or the trigger starts another saga type.
    public init(definitions: [any AnySagaDefinition], trigger: SagaTrigger? = nil) throws(SagaRegistryError) {
        guard let first = definitions.first else { throw .noDefinition(sagaType: trigger?.sagaType ?? "?") }
        let sagaType = first.name
        var versions: Set<Int> = []
        for definition in definitions {
            guard definition.name == sagaType else { throw .mixedTypes(sagaType, definition.name) }
            guard versions.insert(definition.version).inserted else {
                throw .duplicate(sagaType: sagaType, version: definition.version)
            }
        }
        if let trigger, trigger.sagaType != sagaType { throw .mixedTypes(sagaType, trigger.sagaType) }
        self.sagaType = sagaType
        self.definitions = definitions
        self.trigger = trigger
    }

    /// The topics the orchestrator consumes for this saga: its reply topics and its start topic.
    public var consumedTopics: [String] {
        Set(definitions.map(\.replyTopic) + (trigger.map { [$0.topic] } ?? [])).sorted()
    }

    /// Every topic this saga uses: start, command and reply topics, sorted.
    public var topics: [String] {
        Set(consumedTopics + definitions.flatMap(\.commandTopics)).sorted()
    }
}
