import Avro
import Foundation
import SagaAPI
import SagaAvro
import SagaContracts
import SagaCore
import SagaKafka
import SchemaRegistry
import Synchronization

/// How this process reads and writes Confluent-framed values: the contracts as a registry
/// (their ids are ``ContractRegistry/id(of:)``, always resolvable), an optional external
/// registry for every other id, and the health of that registry for `/readyz`.
///
/// Decoding is synchronous, so ``prepare(_:)`` runs before each consumed message is processed
/// (``KafkaConsumptionHooks/prepare``): it checks the `content-type` header against the value's
/// framing and fetches the writer schema of an unknown Confluent id into ``SagaAvro/schemas``.
/// What it throws decides the message's fate (``MessagePreparationError``):
///
/// | failure | disposition |
/// |---|---|
/// | `content-type` disagrees with the bytes | dead letter (`undecodable`), saying why |
/// | no registry knows the id | dead letter (`undecodable`), naming the id |
/// | the registry cannot be reached | retried with backoff until it can, never dead-lettered; `/readyz` is 503 meanwhile |
public final class SchemaResolution: Sendable {
    /// The contracts of this build as a registry.
    public let contracts: ContractRegistry
    /// The writer schemas by id, over ``contracts`` and the external registry; its store is ``SagaAvro/schemas``.
    public let cache: ConfluentSchemaCache
    /// The external registry's host (no scheme, port, path or credentials), when one is configured.
    public let registryHost: String?
    /// The ids this process writes in Confluent framing, by schema fingerprint: the external
    /// registry's (``registeredIDs(of:in:)``) when there is one, else `nil` (our own ids).
    public let producerIDs: [UInt64: Int32]?
    /// The framing of every record this system publishes (`SAGA_WIRE_FORMAT`).
    public let wireFormat: AvroWireFormat
    private let failing = Mutex<Date?>(nil)

    /// Resolution over the contracts and, when given, an external registry (`client`) for ids
    /// that are not the contracts' own. Registers every contract under its id in ``SagaAvro/schemas``.
    ///
    /// With `producerIDs` (the external registry's ids of the contracts), those are the ids
    /// ``contractID(of:)`` gives and are registered in ``SagaAvro/schemas`` too.
    public init(
        contracts: ContractRegistry, client: (any SchemaByIDSource)? = nil, registryHost: String? = nil,
        producerIDs: [UInt64: Int32]? = nil, wireFormat: AvroWireFormat = .singleObject
    ) {
        self.wireFormat = wireFormat
        self.contracts = contracts
        self.registryHost = registryHost
        self.producerIDs = producerIDs
        cache = ConfluentSchemaCache(source: ContractsThenRegistry(contracts: contracts, external: client), store: SagaAvro.schemas)
        for (id, entry) in contracts.byID { SagaAvro.schemas.register(entry.schema, confluentID: id) }
        for (fingerprint, id) in producerIDs ?? [:] {
            if let entry = contracts.entry(id: ContractRegistry.id(fingerprint: fingerprint)), entry.fingerprint == fingerprint {
                SagaAvro.schemas.register(entry.schema, confluentID: id)
            }
        }
    }

    /// The ids an external registry gave the contracts: each contract looked up under its
    /// record-name subject (`<full name>`, as `sagactl schema register --registry` registers it).
    ///
    /// - Throws: ``ContractsNotRegistered`` naming the first contract the registry does not
    ///   have or could not be asked about (an unreachable registry included).
    public static func registeredIDs(of contracts: ContractRegistry, in client: SchemaRegistryClient) async throws -> [UInt64: Int32] {
        var ids: [UInt64: Int32] = [:]
        for entry in contracts.byID.values.sorted(by: { $0.fullName < $1.fullName }) {
            do {
                ids[entry.fingerprint] = try await client.lookup(entry.schema, subject: entry.fullName).id
            } catch {
                throw ContractsNotRegistered(subject: entry.fullName, error: error)
            }
        }
        return ids
    }

    /// Confluent mode with an external registry needs the contracts registered there first.
    public struct ContractsNotRegistered: Error, Sendable, CustomStringConvertible {
        /// The subject looked up.
        public var subject: String
        /// What the registry said (without credentials).
        public var error: SchemaRegistryError

        public var description: String {
            "SAGA_WIRE_FORMAT=confluent with SAGA_SCHEMA_REGISTRY_URL writes the registry's ids, but subject '\(subject)' "
                + "could not be looked up (\(error)); register the contracts with `sagactl schema register --registry URL`"
        }
    }

    /// The contracts of this build (`AvroGeneratedTypes.all`) with the subjects of `topics`.
    public static func contractRegistry(topics: SagaTopics) throws -> ContractRegistry {
        try ContractRegistry(schemas: AvroGeneratedTypes.all.map { $0.avroSchema }, topics: topics.messageTypes)
    }

    /// The id this process writes for `schema` in Confluent framing: the external registry's
    /// id of the contract (``producerIDs``) or else our own, or `nil` for a schema that is no
    /// contract (saga data), which stays single-object.
    public func contractID(of schema: AvroSchema) -> Int32? { contractID(fingerprint: schema.fingerprint) }

    /// The id this process writes for the schema with `fingerprint` (see ``contractID(of:)``).
    public func contractID(fingerprint: UInt64) -> Int32? {
        if let producerIDs { return producerIDs[fingerprint] }
        let id = ContractRegistry.id(fingerprint: fingerprint)
        guard let entry = contracts.entry(id: id), entry.fingerprint == fingerprint else { return nil }
        return id
    }

    /// Checks and prefetches before `message` is processed (see the type's table).
    public func prepare(_ message: InboundMessage) async throws {
        guard !message.value.isEmpty, let framing = try? AvroWireFraming.detect(message.value) else { return }
        do {
            try AvroWireFormat.check(contentType: message.headers.string(SagaHeaders.contentType), against: framing)
        } catch {
            throw MessagePreparationError(.deadLetter(.undecodable), error)
        }
        guard case .confluent(let id) = framing, cache.schema(forID: id) == nil else { return }
        do {
            try await cache.prefetch(id)
            failing.withLock { $0 = nil }
        } catch where error.isRetriable {
            failing.withLock { $0 = $0 ?? Date() }
            throw MessagePreparationError(.retryUntilResolved, RegistryUnreachable(host: registryHost ?? "?", since: nil, error: error))
        } catch {
            throw MessagePreparationError(.deadLetter(.undecodable), error)
        }
    }

    /// The hooks of every consumer of the process: ``prepare(_:)`` before processing, and
    /// ``outgoing(_:)`` on each record its outbox publishes.
    public var hooks: KafkaConsumptionHooks {
        KafkaConsumptionHooks(prepare: { message in try await self.prepare(message) }, outgoing: { self.outgoing($0) })
    }

    /// `message` as this system publishes it: its value in ``wireFormat`` (a contract's
    /// single-object value re-framed with its Confluent id in Confluent mode) and a `content-type`
    /// header naming the value's framing.
    @Sendable public func outgoing(_ message: OutgoingMessage) -> OutgoingMessage {
        let value = SagaAvro.reframed(message.value, as: wireFormat) { self.contractID(fingerprint: $0) }
        guard value != message.value else { return Self.withContentType(message) }
        var message = message
        message.value = value
        message.headers.removeAll { $0.key == SagaHeaders.contentType }
        return Self.withContentType(message)
    }

    /// `message` with a `content-type` header matching its value's framing, unless it has one.
    @Sendable public static func withContentType(_ message: OutgoingMessage) -> OutgoingMessage {
        guard message.headers.string(SagaHeaders.contentType) == nil, let type = SagaAvro.contentType(of: message.value) else { return message }
        var message = message
        message.headers.append(SagaHeader(SagaHeaders.contentType, type))
        return message
    }

    /// `/readyz`: fails, naming the registry's host, while the registry cannot be reached
    /// (from a failed fetch until the next successful one).
    public var readinessCheck: ReadinessCheck {
        ReadinessCheck("schema-registry") {
            if let since = self.failing.withLock({ $0 }) {
                throw RegistryUnreachable(host: self.registryHost ?? "?", since: since, error: nil)
            }
        }
    }

    /// The external registry could not be reached.
    public struct RegistryUnreachable: Error, Sendable, CustomStringConvertible {
        /// The registry's host only.
        public var host: String
        /// When fetches started failing (readiness reports).
        public var since: Date?
        /// The failure (its text names the registry without credentials).
        public var error: SchemaRegistryError?

        public var description: String {
            var text = "schema registry \(host) cannot be reached"
            if let since { text += " since \(since.formatted(.iso8601))" }
            if let error { text += ": \(error)" }
            return text
        }
    }
}

/// The contracts' ids first (so this build's own ids always resolve), then an external registry.
struct ContractsThenRegistry: SchemaByIDSource {
    let contracts: ContractRegistry
    let external: (any SchemaByIDSource)?

    func schema(id: Int32) async throws(SchemaRegistryError) -> AvroSchema {
        if let entry = contracts.entry(id: id) { return entry.schema }
        guard let external else {
            throw SchemaRegistryError(.unknownSchemaID(id), operation: "schema by id", registry: "the contracts of this build (no SAGA_SCHEMA_REGISTRY_URL)")
        }
        return try await external.schema(id: id)
    }
}
