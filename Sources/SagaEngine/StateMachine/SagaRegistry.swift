/// The saga definitions a process knows, by name and version.
///
/// New instances start under the latest version of their type; an instance always continues
/// under the version it was started with, so old versions stay registered until their last
/// instance has ended.
public struct SagaRegistry: Sendable {
    private var definitions: [String: [Int: any AnySagaDefinition]] = [:]

    /// Creates a registry holding `definitions`.
    public init(_ definitions: [any AnySagaDefinition] = []) throws(SagaRegistryError) {
        for definition in definitions { try register(definition) }
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

    /// Every reply topic the registered definitions use (what the orchestrator subscribes to).
    public var replyTopics: [String] { Array(Set(all.map(\.replyTopic))).sorted() }
}

/// A definition could not be registered.
public enum SagaRegistryError: Error, Hashable, CustomStringConvertible {
    /// The same name and version is already registered.
    case duplicate(sagaType: String, version: Int)

    /// A readable description.
    public var description: String {
        switch self {
        case .duplicate(let type, let version): "saga '\(type)' version \(version) is registered twice"
        }
    }
}
