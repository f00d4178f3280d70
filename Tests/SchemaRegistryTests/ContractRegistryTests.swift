import Avro
import SagaContracts
import Testing
@testable import SchemaRegistry

/// The registry model of our contracts: ids derived from fingerprints, subjects by strategy.
@Suite struct ContractRegistryTests {
    @Test func idsAreTheLow31BitsOfTheFingerprintAndPositive() throws {
        let registry = try RegistryFixtures.contracts()
        #expect(registry.byID.count == RegistryFixtures.contractSchemas.count)
        for type in AvroGeneratedTypes.all {
            let id = Int32(truncatingIfNeeded: type.avroFingerprint & 0x7FFF_FFFF)
            let entry = try #require(registry.entry(id: id), "no entry for \(type)")
            #expect(entry.fingerprint == type.avroFingerprint)
            #expect(entry.schema == type.avroSchema)
            #expect(id > 0)
        }
    }

    @Test func idsAreTheSameForEveryBuildOfTheModel() throws {
        // Another replica (or a restart) builds the model from the schemas in another order.
        let first = try RegistryFixtures.contracts()
        let second = try ContractRegistry(schemas: RegistryFixtures.contractSchemas.reversed(), topics: SagaTopics().messageTypes)
        #expect(first.subjects == second.subjects)
        #expect(first.byID.mapValues(\.canonicalForm) == second.byID.mapValues(\.canonicalForm))
    }

    @Test func idsAreIndependentOfDocsAndAttributeOrder() throws {
        let plain = try AvroSchema(parsing: #"{"type":"record","name":"a.B","fields":[{"name":"x","type":"long"}]}"#)
        let documented = try AvroSchema(parsing: #"{"fields":[{"type":"long","name":"x","doc":"an x"}],"doc":"a B","name":"B","namespace":"a","type":"record"}"#)
        #expect(ContractRegistry.id(of: plain) == ContractRegistry.id(of: documented))
    }

    @Test func singleTypeTopicsHaveTopicNameSubjects() throws {
        let registry = try RegistryFixtures.contracts()
        #expect(registry.entry(subject: "transfer.requested-value")?.fullName == TransferRequested.messageType)
        #expect(registry.entry(subject: "order.placed-value")?.fullName == OrderPlaced.messageType)
        #expect(registry.entry(subject: "payment.commands-value")?.fullName == AuthorizePayment.messageType)
        #expect(registry.entry(subject: TransferRequested.messageType)?.id == ContractRegistry.id(of: TransferRequested.avroSchema))
    }

    @Test func sharedTopicsHaveRecordSubjectsAndNoValueSubject() throws {
        let registry = try RegistryFixtures.contracts()
        #expect(registry.entry(subject: "account.commands-value") == nil)
        #expect(registry.sharedTopic(ofValueSubject: "account.commands-value")?.types.count == 5)
        #expect(registry.entry(subject: "account.commands-\(DebitPayer.messageType)")?.fullName == DebitPayer.messageType)
        #expect(registry.entry(subject: DebitPayer.messageType)?.fullName == DebitPayer.messageType)
        #expect(registry.subjects(of: ContractRegistry.id(of: DebitPayer.avroSchema))
            == ["account.commands-\(DebitPayer.messageType)", DebitPayer.messageType])
    }

    @Test func collidingIDsAreReportedWhenTheModelIsBuilt() throws {
        let schemas = Array(RegistryFixtures.contractSchemas.prefix(2))
        #expect(throws: ContractRegistryError.self) {
            _ = try ContractRegistry(schemas: schemas, topics: [:], compatibilityLevel: .backward, id: { _ in 7 })
        }
        do {
            _ = try ContractRegistry(schemas: schemas, topics: [:], compatibilityLevel: .backward, id: { _ in 7 })
        } catch {
            guard case .idCollision(7, let first, let second) = error else {
                Issue.record("expected a collision, got \(error)")
                return
            }
            #expect(Set([first, second]) == Set(schemas.compactMap { $0.fullName?.fullName }))
            #expect(error.description.contains("collide"))
        }
    }

    @Test func theSameSchemaTwiceIsOneEntry() throws {
        let schema = TransferRequested.avroSchema
        let registry = try ContractRegistry(schemas: [schema, schema])
        #expect(registry.byID.count == 1)
    }

    @Test func aTopicNamingAnUnknownTypeIsRejected() throws {
        #expect(throws: ContractRegistryError.unknownTopicType(topic: "t", fullName: "com.example.Nope")) {
            _ = try ContractRegistry(schemas: [TransferRequested.avroSchema], topics: ["t": ["com.example.Nope"]])
        }
    }

    @Test func theTopicMappingNamesEveryMessageTypeOnce() throws {
        let names = Set(AvroGeneratedTypes.all.compactMap { $0.avroSchema.fullName?.fullName })
        for (topic, types) in SagaTopics().messageTypes {
            for type in types { #expect(names.contains(type), "\(topic) names \(type)") }
        }
        // Every start event, command, reply and lifecycle event is on some topic.
        let onTopics = Set(SagaTopics().messageTypes.values.flatMap { $0 })
        #expect(onTopics.count == 32)
    }
}
