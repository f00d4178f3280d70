import Avro
import Foundation
import SagaAvro
import SagaContracts
import SagaCore
import SagaKafka
import SagaSystem
import ServiceKit
import Hummingbird
import HummingbirdTesting
@testable import SchemaRegistry
import Testing

/// What ``SchemaResolution/prepare(_:)`` decides per consumed value, without a broker: an
/// unreachable registry is retried until it answers (and `/readyz` names its host, never its
/// credentials), an unknown id and a disagreeing `content-type` are dead-lettered.
@Suite struct SchemaResolutionTests {
    static func contracts() throws -> ContractRegistry { try SchemaResolution.contractRegistry(topics: SagaTopics()) }

    static func message(_ value: [UInt8], contentType: String?) -> InboundMessage {
        InboundMessage(topic: "transfer.requested", partition: 0, offset: 1, timestampMilliseconds: 1, key: [], value: value,
            headers: [SagaHeader(SagaHeaders.messageID, "m")] + (contentType.map { [SagaHeader(SagaHeaders.contentType, $0)] } ?? []))
    }

    static func disposition(_ resolution: SchemaResolution, _ message: InboundMessage) async -> (FailureDisposition, String)? {
        do {
            try await resolution.prepare(message)
            return nil
        } catch let error as MessagePreparationError {
            return (error.disposition, error.description)
        } catch {
            return (.deadLetter(.nonRetriable), "unexpected \(error)")
        }
    }

    @Test func aSystemInConfluentModeReframesWhatItPublishesAndTheOtherKeepsSingleObject() throws {
        let contracts = try Self.contracts()
        let confluent = SchemaResolution(contracts: contracts, wireFormat: .confluent)
        let singleObject = SchemaResolution(contracts: contracts)
        let record = try StartEvent.transferRequested(
            transferID: UUID(), payer: "alice@okbank", payee: "bob@okbank", amountMinor: 100, source: "test", topic: "t")
        #expect(record.headers.string(SagaHeaders.contentType) == SagaContracts.singleObjectContentType)

        let framed = confluent.outgoing(record)
        let id = ContractRegistry.id(of: TransferRequested.avroSchema)
        #expect(try AvroWireFraming.detect(framed.value) == .confluent(schemaID: id))
        #expect(framed.headers.filter { $0.key == SagaHeaders.contentType }.map(\.stringValue) == [SagaContracts.confluentContentType])
        #expect(try TransferRequested.decodePayload(framed.value) == TransferRequested.decodePayload(record.value))
        #expect(Array(framed.value.dropFirst(5)) == Array(record.value.dropFirst(10)))  // the same body

        // The other system of the same process still writes single-object.
        #expect(singleObject.outgoing(record).value == record.value)
        // A value that is no contract (saga data, an empty reply) stays as it is.
        let empty = OutgoingMessage(topic: "t", key: [], value: [], headers: [])
        #expect(confluent.outgoing(empty).value.isEmpty)
    }

    @Test func anUnreachableRegistryIsRetriedUntilItAnswersAndMakesReadinessFailNamingOnlyItsHost() async throws {
        let configuration = try SchemaRegistryConfiguration(url: "http://registry-user:s3cret@127.0.0.1:1/base")
        let client = try SchemaRegistryClient(configuration: configuration)
        let resolution = SchemaResolution(contracts: try Self.contracts(), client: client, registryHost: "127.0.0.1")
        try await resolution.readinessCheck.check()
        let value = AvroConfluentWireFormat.header(schemaID: 7) + [0]
        let outcome = try #require(await Self.disposition(resolution, Self.message(value, contentType: AvroWireFormat.confluent.contentType)))
        #expect(outcome.0 == .retryUntilResolved)
        #expect(outcome.1.contains("schema registry 127.0.0.1 cannot be reached"))
        #expect(!outcome.1.contains("s3cret"))
        do {
            try await resolution.readinessCheck.check()
            Issue.record("readiness passed while the registry was unreachable")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("schema registry 127.0.0.1 cannot be reached since"))
            #expect(!text.contains("s3cret") && !text.contains("registry-user"))
        }
        // Our own ids never need the registry.
        let own = try AvroConfluentWireFormat.encode(Self.sampleTransfer(), schemaID: ContractRegistry.id(of: TransferRequested.avroSchema))
        #expect(await Self.disposition(resolution, Self.message(own, contentType: nil)) == nil)
        try await client.shutdown()
    }

    @Test func anUnknownIdWithoutARegistryIsDeadLetteredNamingIt() async throws {
        let resolution = SchemaResolution(contracts: try Self.contracts())
        let value = AvroConfluentWireFormat.header(schemaID: 31_337) + [0]
        let outcome = try #require(await Self.disposition(resolution, Self.message(value, contentType: nil)))
        #expect(outcome.0 == .deadLetter(.undecodable))
        #expect(outcome.1.contains("unknown schema id 31337"))
    }

    @Test func aContentTypeThatDisagreesWithTheBytesIsDeadLetteredSayingWhy() async throws {
        let resolution = SchemaResolution(contracts: try Self.contracts())
        let value = try AvroSingleObject.encode(Self.sampleTransfer())
        let outcome = try #require(await Self.disposition(resolution, Self.message(value, contentType: AvroWireFormat.confluent.contentType)))
        #expect(outcome.0 == .deadLetter(.undecodable))
        #expect(outcome.1.contains("the header says confluent but the value's bytes are single-object"))
        #expect(await Self.disposition(resolution, Self.message(value, contentType: AvroWireFormat.singleObject.contentType)) == nil)
    }

    @Test func payloadsDecodeFromEitherFramingAndPublishedRecordsGetAMatchingContentType() throws {
        _ = SchemaResolution(contracts: try Self.contracts())
        let transfer = try Self.sampleTransfer()
        let confluent = try AvroConfluentWireFormat.encode(transfer, schemaID: ContractRegistry.id(of: TransferRequested.avroSchema))
        #expect(try TransferRequested.decodePayload(confluent) == transfer)
        #expect(try TransferRequested.decodePayload(try AvroSingleObject.encode(transfer)) == transfer)
        let outgoing = SchemaResolution.withContentType(OutgoingMessage(topic: "t", key: [], value: confluent, headers: []))
        #expect(outgoing.headers.string(SagaHeaders.contentType) == AvroWireFormat.confluent.contentType)
    }

    @Test func withAnExternalRegistryConfluentModeWritesThatRegistrysIdsLookedUpByRecordName() async throws {
        // Another registry with the same contracts under other ids (as a real registry numbers them).
        let other = try ContractRegistry(schemas: AvroGeneratedTypes.all.map { $0.avroSchema }, topics: SagaTopics().messageTypes,
            compatibilityLevel: .backward, id: { Int32(truncatingIfNeeded: ($0 >> 32) & 0x3FFF_FFFF) | 1 })
        let router = Router()
        ContractRegistryRoutes(registry: other).addRoutes(to: router.group("registry"))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { http in
            let port = try #require(http.port)
            let client = try SchemaRegistryClient(configuration: try SchemaRegistryConfiguration(url: "http://127.0.0.1:\(port)/registry"))
            let contracts = try Self.contracts()
            let ids = try await SchemaResolution.registeredIDs(of: contracts, in: client)
            #expect(ids.count == contracts.byID.count)
            let resolution = SchemaResolution(contracts: contracts, client: client, registryHost: "127.0.0.1", producerIDs: ids)
            let theirs = try #require(other.subjects[TransferRequested.messageType])
            #expect(theirs != ContractRegistry.id(of: TransferRequested.avroSchema))
            #expect(resolution.contractID(of: TransferRequested.avroSchema) == theirs)
            // A value written with their id decodes in this process without a fetch.
            let value = try AvroConfluentWireFormat.encode(try Self.sampleTransfer(), schemaID: theirs)
            #expect(await Self.disposition(resolution, Self.message(value, contentType: nil)) == nil)
            #expect(try TransferRequested.decodePayload(value).payerVpa == "alice@okbank")
            try await client.shutdown()
        }
        let unreachable = try SchemaRegistryClient(configuration: try SchemaRegistryConfiguration(url: "http://127.0.0.1:1"))
        await #expect(throws: SchemaResolution.ContractsNotRegistered.self) {
            _ = try await SchemaResolution.registeredIDs(of: try Self.contracts(), in: unreachable)
        }
        try await unreachable.shutdown()
    }

    static func sampleTransfer() throws -> TransferRequested {
        let id = UUID()
        return TransferRequested(
            metadata: MessageMetadata(messageId: UUID(), sagaId: id, causationId: nil, occurredAt: Date(timeIntervalSince1970: 1_700_000_000),
                source: "test", traceParent: nil, replyTo: nil),
            transferId: id, payerVpa: "alice@okbank", payeeVpa: "bob@okbank", amount: Money(amountMinor: 100, currency: "INR"), note: nil)
    }
}
