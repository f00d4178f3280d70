import SagaCore
import Avro
import AvroTestSupport
import Foundation
import SagaContracts
import Testing

/// The generated contract types against the schema files they come from.
@Suite struct SagaContractsTests {
    static let schemaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas")

    static func schemaFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: schemaDirectory.path)
            .filter { $0.hasSuffix(".avsc") }.sorted().map { schemaDirectory.appendingPathComponent($0) }
    }

    /// Every `.avsc` file, parsed by the Avro module, by the full name of its top-level type.
    static func parsedSchemas() throws -> [AvroName: AvroSchema] {
        let set = try AvroSchemaSet.parsing(files: try schemaFiles())
        var result: [AvroName: AvroSchema] = [:]
        for (_, schema) in set.schemas {
            if let name = schema.fullName { result[name] = schema }
        }
        return result
    }

    @Test func everySchemaFileHasAGeneratedTypeWithItsFingerprint() throws {
        // Fails when a schema was edited but the build did not regenerate the Swift code.
        let parsed = try Self.parsedSchemas()
        let generated = Dictionary(uniqueKeysWithValues: AvroGeneratedTypes.all.compactMap { type in
            type.avroSchema.fullName.map { ($0, type) }
        })
        #expect(parsed.count == (try Self.schemaFiles()).count)
        #expect(Set(parsed.keys) == Set(generated.keys))
        for (name, schema) in parsed {
            let type = try #require(generated[name], "no generated type for \(name)")
            #expect(type.avroFingerprint == schema.fingerprint, "\(name)")
            #expect(type.avroSchema.canonicalForm == schema.canonicalForm, "\(name)")
        }
    }

    @Test func everyGeneratedTypeRoundTripsWithTheGenericCoder() throws {
        #expect(AvroGeneratedTypes.all.count == 39)
        for (index, type) in AvroGeneratedTypes.all.enumerated() {
            #expect(try GeneratedTypeRoundTrip.check(type, count: 100, seed: UInt64(index) + 7) == 100)
        }
    }

    @Test func everyMessageCarriesTheEnvelopeAndDocsOnEveryField() throws {
        let helperTypes: Set<String> = ["MessageMetadata", "Money", "ReplyOutcome", "Failure", "OrderItem", "BillShare", "NotificationKind"]
        var messages = 0
        for (name, schema) in try Self.parsedSchemas() {
            guard case .record(let record) = schema else { continue }
            #expect(record.doc?.isEmpty == false, "\(name) has no doc")
            for field in record.fields {
                #expect(field.doc?.isEmpty == false, "\(name).\(field.name) has no doc")
                if field.name.hasSuffix("Id") {
                    let type = field.type.withoutNull
                    #expect(type == .logical(.uuid, .string), "\(name).\(field.name) is not a uuid")
                }
                if field.name.hasSuffix("At") {
                    #expect(field.type.withoutNull == .logical(.timestampMillis, .long), "\(name).\(field.name) is not a timestamp")
                }
            }
            guard !helperTypes.contains(name.name) else { continue }
            messages += 1
            #expect(record.fields.first?.name == "metadata", "\(name) does not start with metadata")
            #expect(record.fields.first?.type.fullName?.fullName == "com.swiftsaga.common.MessageMetadata")
            if name.name.hasSuffix("Reply") {
                #expect(record.fields.contains { $0.name == "outcome" }, "\(name) has no outcome")
                #expect(record.fields.contains { $0.name == "failure" }, "\(name) has no failure")
            }
        }
        #expect(messages == 32)
    }

    @Test func everyMessageTypeConformsToSagaMessageAndEveryReplyToSagaReply() throws {
        var messages = 0, replies = 0
        for type in AvroGeneratedTypes.all {
            guard case .record(let record) = type.avroSchema, record.fields.first?.name == "metadata" else {
                #expect(!(type is any SagaMessage.Type), "\(type) has no envelope")
                continue
            }
            let message = try #require(type as? any SagaMessage.Type, "\(type) does not conform to SagaMessage")
            #expect(message.messageType == record.name.fullName)
            messages += 1
            if record.name.name.hasSuffix("Reply") {
                #expect(type is any SagaReply.Type, "\(type) does not conform to SagaReply")
                replies += 1
            }
        }
        #expect(messages == 32)
        #expect(replies == 11)
        #expect(DeadLetterRecord.topic(for: SagaTopics().paymentCommands) == "payment.commands.dlq")
    }

    @Test func orderPlacedReadsBackAsTheGenericValueTheSchemaDescribes() throws {
        let orderId = UUID()
        let event = OrderPlaced(
            metadata: MessageMetadata(messageId: UUID(), sagaId: orderId, occurredAt: Date(timeIntervalSince1970: 1_763_700_000.5),
                                      source: "order-service"),
            orderId: orderId, customerId: UUID(),
            items: [OrderItem(productId: UUID(), sku: "SKU-1", quantity: 2, unitPriceMinor: 19_999)],
            currency: "INR", paymentToken: "tok_123"
        )
        let generic = try AvroBinaryDecoder(schema: OrderPlaced.avroSchema).decode(event.avroEncoded())
        #expect(generic["metadata"]?["sagaId"] == .uuid(orderId))
        #expect(generic["metadata"]?["causationId"] == .union(0, .null))
        #expect(generic["metadata"]?["occurredAt"] == .timestampMillis(1_763_700_000_500))
        #expect(generic["items"] == .array([.record([
            "productId": .uuid(event.items[0].productId), "sku": .string("SKU-1"), "quantity": .int(2),
            "unitPriceMinor": .long(19_999),
        ])]))
        #expect(try OrderPlaced(avroEncoded: event.avroEncoded()) == event)
    }

    @Test func replyOutcomesAndNotificationKindsAreSwiftEnums() throws {
        let reply = DebitPayerReply(
            metadata: MessageMetadata(messageId: UUID(), sagaId: UUID(), causationId: UUID(), occurredAt: Date(), source: "account-service"),
            transferId: UUID(), outcome: .businessFailure,
            failure: Failure(code: "INSUFFICIENT_FUNDS", message: "balance 100 paise < 10050 paise")
        )
        let decoded = try DebitPayerReply(avroEncoded: reply.avroEncoded())
        #expect(decoded.outcome == .businessFailure)
        #expect(decoded.debitId == nil)
        #expect(NotificationKind.allCases.first == .other)
        #expect(ReplyOutcome.allCases.map(\.rawValue) == ["SUCCEEDED", "BUSINESS_FAILURE", "RETRIABLE_FAILURE"])
    }
}

extension AvroSchema {
    /// `T` for `["null", T]`, else the schema itself.
    var withoutNull: AvroSchema {
        if case .union(let branches) = self, branches.count == 2, branches.contains(.null) {
            return branches.first { $0 != .null } ?? self
        }
        return self
    }
}
