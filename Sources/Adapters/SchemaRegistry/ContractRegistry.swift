import Avro

/// Our own contracts as a read-only schema registry: every schema gets a stable id and the
/// subjects Confluent's serializers look it up under. Served by ``ContractRegistryRoutes``.
///
/// ## Ids
/// A schema's id is derived from the schema alone, so every replica and every restart serves
/// the same ids with no storage and no coordination: the low 31 bits of its CRC-64-AVRO
/// fingerprint (``AvroSchema/fingerprint``, computed on the Parsing Canonical Form), a
/// positive `Int32` as the Confluent wire format needs. A change to a contract that changes
/// its canonical form changes its id; docs, defaults and attribute order do not. Two schemas
/// whose ids would collide (or an id of 0) make ``init(schemas:topics:)`` throw, naming both,
/// so a collision is found when the model is built (at start-up and in the tests), never on the wire.
///
/// ## Subjects
/// - `<full name>` for every schema (RecordNameStrategy), e.g. `com.swiftsaga.order.ReserveStock`.
/// - `<topic>-<full name>` for every message type of every topic (TopicRecordNameStrategy).
/// - `<topic>-value` (TopicNameStrategy, Confluent's default) only for a topic that carries
///   exactly one message type, e.g. `transfer.requested-value`. A topic shared by several
///   message types (`account.commands` carries four) has none: one subject holds one evolving
///   schema, and four unrelated records under it would fail every compatibility check. Producers
///   to a shared topic set their serializer's subject name strategy to RecordNameStrategy or
///   TopicRecordNameStrategy; looking up `<topic>-value` of a shared topic answers 40401 saying so.
///
/// Each subject has one version, 1: the registry serves the contracts of this build, not their
/// history (older versions of a schema live in git; see `schemas/README.md`).
public struct ContractRegistry: Sendable {
    /// One schema of the registry.
    public struct Entry: Sendable, Hashable {
        /// The schema id (see "Ids" above).
        public var id: Int32
        /// The schema, references expanded.
        public var schema: AvroSchema
        /// Its full name.
        public var fullName: String
        /// Its Parsing Canonical Form (what lookups compare).
        public var canonicalForm: String
        /// Its CRC-64-AVRO fingerprint.
        public var fingerprint: UInt64
        /// The schema as compact `.avsc` JSON, as served.
        public var json: String
    }

    /// The entries by id.
    public let byID: [Int32: Entry]
    /// The id of each subject's only version.
    public let subjects: [String: Int32]
    /// Topics shared by several message types (they have no `<topic>-value` subject), with their types.
    public let sharedTopics: [String: [String]]
    /// The compatibility level reported by `GET /config` (the one `sagactl schema check` enforces).
    public let compatibilityLevel: AvroCompatibility.Level

    /// The id a schema gets: the low 31 bits of its fingerprint.
    public static func id(of schema: AvroSchema) -> Int32 { id(fingerprint: schema.fingerprint) }

    /// The id of a schema with this CRC-64-AVRO fingerprint.
    public static func id(fingerprint: UInt64) -> Int32 { Int32(truncatingIfNeeded: fingerprint & 0x7FFF_FFFF) }

    /// Builds the registry of `schemas` (named types, references expanded, such as the
    /// contracts' `AvroGeneratedTypes.all.map { $0.avroSchema }`) and of `topics`: for each
    /// topic, the full names of the message types it carries.
    ///
    /// Throws ``ContractRegistryError`` when two schemas' ids collide, a schema is unnamed,
    /// two different schemas share a full name, or a topic names a type that is not among `schemas`.
    public init(schemas: [AvroSchema], topics: [String: [String]] = [:], compatibilityLevel: AvroCompatibility.Level = .backward) throws(ContractRegistryError) {
        try self.init(schemas: schemas, topics: topics, compatibilityLevel: compatibilityLevel, id: Self.id(fingerprint:))
    }

    /// The designated initializer, with the id derivation as a parameter (tests force collisions).
    init(schemas: [AvroSchema], topics: [String: [String]], compatibilityLevel: AvroCompatibility.Level, id derive: (UInt64) -> Int32) throws(ContractRegistryError) {
        var byID: [Int32: Entry] = [:]
        var idByName: [String: Int32] = [:]
        for schema in schemas {
            guard let name = schema.fullName?.fullName else {
                throw .unnamedSchema(schema.canonicalForm)
            }
            let canonical = schema.canonicalForm
            let fingerprint = AvroFingerprint.rabin(Array(canonical.utf8))
            let id = derive(fingerprint)
            guard id > 0 else { throw .reservedID(fullName: name) }
            if let existing = byID[id] {
                if existing.canonicalForm == canonical { continue }  // the same schema twice
                throw .idCollision(id: id, first: existing.fullName, second: name)
            }
            if idByName[name] != nil { throw .duplicateName(name) }
            byID[id] = Entry(id: id, schema: schema, fullName: name, canonicalForm: canonical, fingerprint: fingerprint, json: schema.jsonText)
            idByName[name] = id
        }
        var subjects: [String: Int32] = idByName
        var shared: [String: [String]] = [:]
        for (topic, names) in topics {
            let unique = Array(Set(names)).sorted()
            for name in unique {
                guard let id = idByName[name] else { throw .unknownTopicType(topic: topic, fullName: name) }
                subjects["\(topic)-\(name)"] = id
            }
            if unique.count == 1, let only = unique.first, let id = idByName[only] {
                subjects["\(topic)-value"] = id
            } else if unique.count > 1 {
                shared[topic] = unique
            }
        }
        self.byID = byID
        self.subjects = subjects
        self.sharedTopics = shared
        self.compatibilityLevel = compatibilityLevel
    }

    /// The schema with this id.
    public func entry(id: Int32) -> Entry? { byID[id] }

    /// The schema of a subject's only version.
    public func entry(subject: String) -> Entry? { subjects[subject].flatMap { byID[$0] } }

    /// The subjects, sorted.
    public var subjectNames: [String] { subjects.keys.sorted() }

    /// The subjects a schema is registered under, sorted.
    public func subjects(of id: Int32) -> [String] { subjects.filter { $0.value == id }.map(\.key).sorted() }

    /// Whether `subject` is `<topic>-value` of a topic shared by several message types, and which.
    public func sharedTopic(ofValueSubject subject: String) -> (topic: String, types: [String])? {
        guard subject.hasSuffix("-value") else { return nil }
        let topic = String(subject.dropLast("-value".count))
        return sharedTopics[topic].map { (topic, $0) }
    }
}

/// Why the contracts cannot be served as a registry.
public enum ContractRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Two different schemas would get the same id.
    case idCollision(id: Int32, first: String, second: String)
    /// A schema's derived id is 0, which registries do not use.
    case reservedID(fullName: String)
    /// A schema is not a named type (its canonical form).
    case unnamedSchema(String)
    /// Two different schemas have the same full name.
    case duplicateName(String)
    /// The topic mapping names a type that is not among the schemas.
    case unknownTopicType(topic: String, fullName: String)

    public var description: String {
        switch self {
        case .idCollision(let id, let first, let second):
            "schema ids collide: \(first) and \(second) both derive id \(id) (the low 31 bits of their fingerprints); rename or change one of them"
        case .reservedID(let name): "\(name) derives schema id 0, which registries do not use"
        case .unnamedSchema(let canonical): "a registry schema must be a named type, not \(canonical)"
        case .duplicateName(let name): "two different schemas are named \(name)"
        case .unknownTopicType(let topic, let name): "topic \(topic) carries \(name), which is not among the schemas"
        }
    }
}
