import Avro
import Foundation
import SagaContracts
import Testing
@testable import SchemaRegistry

/// The client against the contracts' routes served live in process.
@Suite struct SchemaRegistryClientTests {
    static func client(_ url: String, credentials: SchemaRegistryConfiguration.Credentials = .none) throws -> SchemaRegistryClient {
        try SchemaRegistryClient(configuration: SchemaRegistryConfiguration(url: url, credentials: credentials, requestTimeout: .seconds(5)))
    }

    static func kind(of body: () async throws(SchemaRegistryError) -> Void) async -> SchemaRegistryError? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    @Test func fetchesSchemasByIDAndLooksThemUp() async throws {
        try await RegistryFixtures.withLiveRegistry { url in
            let client = try Self.client(url)
            let id = ContractRegistry.id(of: TransferRequested.avroSchema)
            #expect(client.cachedSchema(id: id) == nil)
            #expect(try await client.schema(id: id).fingerprint == TransferRequested.avroFingerprint)
            #expect(client.cachedSchema(id: id)?.fingerprint == TransferRequested.avroFingerprint)

            let found = try await client.lookup(TransferRequested.avroSchema, subject: "transfer.requested-value")
            #expect(found.id == id && found.version == 1 && found.subject == "transfer.requested-value")
            #expect(try await client.version(subject: "transfer.requested-value").id == id)
            #expect(try await client.versions(subject: "transfer.requested-value") == [1])
            #expect(try await client.subjects().contains("account.commands-\(DebitPayer.messageType)"))
            #expect(try await client.checkCompatibility(TransferRequested.avroSchema, subject: "transfer.requested-value").isCompatible)
        }
    }

    @Test func anUnknownIDIsATypedPermanentError() async throws {
        try await RegistryFixtures.withLiveRegistry { url in
            let client = try Self.client(url)
            let error = await Self.kind { () async throws(SchemaRegistryError) in _ = try await client.schema(id: 1) }
            #expect(error?.kind == .unknownSchemaID(1))
            #expect(error?.isRetriable == false)
            #expect(error?.operation == "GET /schemas/ids/1")
            let missing = await Self.kind { () async throws(SchemaRegistryError) in _ = try await client.versions(subject: "nope-value") }
            #expect(missing?.kind == .subjectNotFound("nope-value"))
            let other = await Self.kind { () async throws(SchemaRegistryError) in
                _ = try await client.lookup(OrderPlaced.avroSchema, subject: "transfer.requested-value")
            }
            #expect(other?.kind == .schemaNotFound(subject: "transfer.requested-value"))
        }
    }

    @Test func aWriteToTheReadOnlyRegistryIsRejectedWithItsMessage() async throws {
        try await RegistryFixtures.withLiveRegistry { url in
            let client = try Self.client(url)
            let error = await Self.kind { () async throws(SchemaRegistryError) in
                _ = try await client.register(TransferRequested.avroSchema, subject: "transfer.requested-value")
            }
            guard case .rejected(422, 42205, let message)? = error?.kind else {
                Issue.record("expected a 42205 rejection, got \(String(describing: error))")
                return
            }
            #expect(message.contains("schemas/"))
            #expect(error?.isRetriable == false)
        }
    }

    @Test func concurrentFetchesOfOneIDMakeOneRequest() async throws {
        let counter = RequestCounter()
        try await RegistryFixtures.withLiveRegistry(counter: counter) { url in
            let client = try Self.client(url)
            let id = ContractRegistry.id(of: DebitPayer.avroSchema)
            let fingerprints = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for _ in 0..<16 { group.addTask { try await client.schema(id: id).fingerprint } }
                return try await group.reduce(into: [UInt64]()) { $0.append($1) }
            }
            #expect(fingerprints == Array(repeating: DebitPayer.avroFingerprint, count: 16))
            #expect(counter.count("/registry/schemas/ids/\(id)") == 1)
            _ = try await client.schema(id: id)
            #expect(counter.count("/registry/schemas/ids/\(id)") == 1)
        }
    }

    @Test func aClosedPortIsATypedRetriableErrorWithoutCredentials() async throws {
        // Port 1 on loopback: nothing listens there, the connection is refused.
        let client = try Self.client("http://registry-user:s3cret-pw@127.0.0.1:1", credentials: .none)
        #expect(client.configuration.credentials == .basic(user: "registry-user", password: "s3cret-pw"))
        #expect(client.configuration.baseURL == "http://127.0.0.1:1")
        let error = await Self.kind { () async throws(SchemaRegistryError) in _ = try await client.schema(id: 42) }
        guard case .unavailable? = error?.kind else {
            Issue.record("expected unavailable, got \(String(describing: error))")
            return
        }
        #expect(error?.isRetriable == true)
        let text = "\(String(describing: error)) \(client.configuration)"
        #expect(!text.contains("s3cret-pw"))
        #expect(text.contains("127.0.0.1:1"))

        let bearer = try Self.client("http://127.0.0.1:1", credentials: .bearer("tok-SECRET-123"))
        let bearerError = await Self.kind { () async throws(SchemaRegistryError) in _ = try await bearer.subjects() }
        #expect(bearerError?.isRetriable == true)
        #expect(!"\(String(describing: bearerError)) \(bearer.configuration)".contains("tok-SECRET-123"))
    }

    @Test func theResolverPrefetchesThenDecodesSynchronously() async throws {
        try await RegistryFixtures.withLiveRegistry { url in
            let client = try Self.client(url)
            let cache = ConfluentSchemaCache(source: client)
            let id = ContractRegistry.id(of: TransferRequested.avroSchema)
            let value = InteropValues.transfer
            let message = try AvroConfluentWireFormat.encode(value, schemaID: id)
            #expect(cache.schema(forID: id) == nil)
            #expect(throws: AvroDecodingError.self) { _ = try cache.decode(TransferRequested.self, from: message) }
            try await cache.prefetch(for: message)
            #expect(cache.schema(forID: id)?.fingerprint == TransferRequested.avroFingerprint)
            #expect(try cache.decode(TransferRequested.self, from: message) == value)
            // Single-object values need no prefetch.
            #expect(try cache.decode(TransferRequested.self, from: AvroSingleObject.encode(value)) == value)

            let unknown = try AvroConfluentWireFormat.encode(value, schemaID: 1)
            let error = await Self.kind { () async throws(SchemaRegistryError) in try await cache.prefetch(for: unknown) }
            #expect(error?.kind == .unknownSchemaID(1))
        }
    }

    @Test func theContractsResolveIDsLocallyToo() async throws {
        let cache = ConfluentSchemaCache(source: try RegistryFixtures.contracts())
        let id = ContractRegistry.id(of: TransferRequested.avroSchema)
        let message = try AvroConfluentWireFormat.encode(InteropValues.transfer, schemaID: id)
        try await cache.prefetch(for: message)
        #expect(try cache.decode(TransferRequested.self, from: message) == InteropValues.transfer)
    }
}

/// Values the interop and resolver tests send.
enum InteropValues {
    /// A fixed UUID ending in `last`.
    static func uuid(_ last: UInt8) -> UUID {
        UUID(uuid: (0x1D, 0x2C, 0x3B, 0x4A, 0x5E, 0x6F, 0x4A, 0x7B, 0x8C, 0x9D, 0x0E, 0x1F, 0x2A, 0x3B, 0x4C, last))
    }

    static let transfer = TransferRequested(
        metadata: MessageMetadata(
            messageId: uuid(1), sagaId: uuid(2), causationId: nil, occurredAt: Date(timeIntervalSince1970: 1_795_000_000),
            source: "swift-test", traceParent: nil, replyTo: nil),
        transferId: uuid(2), payerVpa: "carol@okbank", payeeVpa: "dave@okbank",
        amount: Money(amountMinor: 123_456, currency: "INR"), note: nil)
}
