/// The saga definitions a process knows, by name and version.
///
/// New instances start under the latest version of their type; an instance always continues
/// under the version it was started with, so old versions stay registered until their last
/// instance has ended.
public struct SagaRegistry: Sendable {
    private var definitions: [String: [Int: any AnySagaDefinition]] = [:]
    /// The triggers of the registered sagas, by start topic.
    public private(set) var triggers: [SagaTrigger] = []

    /// Creates a registry of the sagas `registrations` declare (definitions and triggers).
    public init(_ registrations: [SagaRegistration]) throws(SagaRegistryError) {
        for registration in registrations { try register(registration) }
    }

    /// Creates a registry holding `definitions`, without triggers (sagas started by calls).
    public init(definitions: [any AnySagaDefinition] = []) throws(SagaRegistryError) {
        for definition in definitions { try register(definition) }
    }

    /// Adds a saga's definitions and trigger; a second trigger on one topic is an error.
    public mutating func register(_ registration: SagaRegistration) throws(SagaRegistryError) {
        for definition in registration.definitions { try register(definition) }
        if let trigger = registration.trigger {
            if let other = triggers.first(where: { $0.topic == trigger.topic }) {
                throw .sharedStartTopic(trigger.topic, other.sagaType, trigger.sagaType)
            }
            triggers.append(trigger)
        }
    }

    /// Adds a definition; registering the same name and version twice is an error.
    public mutating func register(_ definition: any AnySagaDefinition) throws(SagaRegistryError) {
        if definitions[definition.name]?[definition.version] != nil {
            throw .duplicate(sagaType: definition.name, version: definition.version)
        }
        definitions[definition.name, default: [:]][definition.version] = definition
    }

    /// The definition an instance of `sagaType` started under `version` runs with.
    public func definition(_ sagaType: String, version: Int) -> (any AnySagaDefinition)? {
        definitions[sagaType]?[version]
    }

    /// The newest version of `sagaType`, used to start new instances.
    public func latest(_ sagaType: String) -> (any AnySagaDefinition)? {
        guard let versions = definitions[sagaType], let newest = versions.keys.max() else { return nil }
        return versions[newest]
    }

    /// Every registered definition.
    public var all: [any AnySagaDefinition] {
        definitions.values.flatMap(\.values).sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    /// Every reply topic the registered definitions use.
    public var replyTopics: [String] { Array(Set(all.map(\.replyTopic))).sorted() }

    /// What the orchestrator consumes: every reply topic and every trigger's start topic.
    public var consumedTopics: [String] { Array(Set(replyTopics + triggers.map(\.topic))).sorted() }
}

/// A definition could not be registered.
public enum SagaRegistryError: Error, Hashable, CustomStringConvertible {
    /// The same name and version is already registered.
    case duplicate(sagaType: String, version: Int)
    /// A registration without any definition.
    case noDefinition(sagaType: String)
    /// One registration names two saga types (its definitions, or a trigger for another type).
    case mixedTypes(String, String)
    /// Two sagas are started from one topic.
    case sharedStartTopic(String, String, String)

    /// A readable description.
    public var description: String {
        switch self {
        case .duplicate(let type, let version): "saga '\(type)' version \(version) is registered twice"
        case .noDefinition(let type): "saga '\(type)' is registered without a definition"
        case .mixedTypes(let first, let second): "one registration names two saga types: '\(first)' and '\(second)'"
        case .sharedStartTopic(let topic, let first, let second):
            "topic '\(topic)' would start both saga '\(first)' and saga '\(second)'"
        }
    }
}
