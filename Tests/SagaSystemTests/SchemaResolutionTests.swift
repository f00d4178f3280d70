import Avro
import Foundation
import SagaAvro
import SagaContracts
import SagaCore
import SagaKafka
import SagaSystem
import SchemaRegistry
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

    static func sampleTransfer() throws -> TransferRequested {
        let id = UUID()
        return TransferRequested(
            metadata: MessageMetadata(messageId: UUID(), sagaId: id, causationId: nil, occurredAt: Date(timeIntervalSince1970: 1_700_000_000),
                source: "test", traceParent: nil, replyTo: nil),
            transferId: id, payerVpa: "alice@okbank", payeeVpa: "bob@okbank", amount: Money(amountMinor: 100, currency: "INR"), note: nil)
    }
}
