import Avro
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SagaContracts
import Testing
@testable import SchemaRegistry

/// The read-only Confluent REST API over the contracts, in process (router test mode).
@Suite struct ContractRegistryRoutesTests {
    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONValue(parsing: Array(response.body.readableBytesView))
    }

    static func lookupBody(_ schemaText: String) -> ByteBuffer {
        ByteBuffer(string: JSONValue.object([("schema", .string(schemaText)), ("schemaType", .string("AVRO"))]).serialized)
    }

    static func test(_ body: @Sendable (any TestClientProtocol, ContractRegistry) async throws -> Void) async throws {
        let registry = try RegistryFixtures.contracts()
        try await RegistryFixtures.application(registry).test(.router) { client in try await body(client, registry) }
    }

    @Test func schemaByIDHasConfluentsShapeAndContentType() async throws {
        try await Self.test { client, _ in
            let id = ContractRegistry.id(of: TransferRequested.avroSchema)
            try await client.execute(uri: "/registry/schemas/ids/\(id)", method: .get) { response async throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/vnd.schemaregistry.v1+json")
                let body = try Self.json(response)
                guard case .string(let text)? = body["schema"] else { throw RegistryFixtures.FixtureError(description: "no schema in \(body)") }
                #expect(try AvroSchema(parsing: text).canonicalForm == TransferRequested.avroSchema.canonicalForm)
            }
            try await client.execute(uri: "/registry/schemas/ids/\(id)/schema", method: .get) { response async throws in
                #expect(try AvroSchema(parsing: String(buffer: response.body)).fingerprint == TransferRequested.avroFingerprint)
            }
        }
    }

    @Test func unknownIDsAnswerConfluents40403() async throws {
        try await Self.test { client, _ in
            for path in ["/registry/schemas/ids/1", "/registry/schemas/ids/nope"] {
                try await client.execute(uri: path, method: .get) { response async throws in
                    #expect(response.status == .notFound)
                    #expect(try Self.json(response)["error_code"] == .integer(40403))
                }
            }
        }
    }

    @Test func subjectsAndVersions() async throws {
        try await Self.test { client, registry in
            try await client.execute(uri: "/registry/subjects", method: .get) { response async throws in
                #expect(try Self.json(response) == .array(registry.subjectNames.map(JSONValue.string)))
            }
            try await client.execute(uri: "/registry/subjects/transfer.requested-value/versions", method: .get) { response async throws in
                #expect(try Self.json(response) == .array([.integer(1)]))
            }
            for version in ["latest", "1", "-1"] {
                try await client.execute(uri: "/registry/subjects/transfer.requested-value/versions/\(version)", method: .get) { response async throws in
                    let body = try Self.json(response)
                    #expect(body["subject"] == .string("transfer.requested-value"))
                    #expect(body["version"] == .integer(1))
                    #expect(body["id"] == .integer(Int64(ContractRegistry.id(of: TransferRequested.avroSchema))))
                }
            }
            try await client.execute(uri: "/registry/subjects/transfer.requested-value/versions/2", method: .get) { response async throws in
                #expect(response.status == .notFound)
                #expect(try Self.json(response)["error_code"] == .integer(40402))
            }
            try await client.execute(uri: "/registry/subjects/transfer.requested-value/versions/two", method: .get) { response async throws in
                #expect(response.status == .unprocessableContent)
                #expect(try Self.json(response)["error_code"] == .integer(42202))
            }
            try await client.execute(uri: "/registry/subjects/no.such-value/versions", method: .get) { response async throws in
                #expect(response.status == .notFound)
                #expect(try Self.json(response)["error_code"] == .integer(40401))
            }
        }
    }

    @Test func aSharedTopicsValueSubjectExplainsTheStrategies() async throws {
        try await Self.test { client, _ in
            try await client.execute(uri: "/registry/subjects/account.commands-value/versions/latest", method: .get) { response async throws in
                let body = try Self.json(response)
                #expect(body["error_code"] == .integer(40401))
                guard case .string(let message)? = body["message"] else { throw RegistryFixtures.FixtureError(description: "no message") }
                #expect(message.contains("RecordNameStrategy") && message.contains(DebitPayer.messageType))
            }
        }
    }

    @Test func lookupMatchesByParsingCanonicalForm() async throws {
        try await Self.test { client, _ in
            // Pretty-printed, without docs: another text, the same canonical form.
            let text = try JSONValue(parsing: TransferRequested.avroSchema.canonicalForm).prettySerialized
            #expect(text != TransferRequested.avroSchema.jsonText)
            try await client.execute(uri: "/registry/subjects/transfer.requested-value?normalize=false&deleted=false", method: .post,
                                     body: Self.lookupBody(text)) { response async throws in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["id"] == .integer(Int64(ContractRegistry.id(of: TransferRequested.avroSchema))))
                #expect(body["version"] == .integer(1))
            }
            // Another schema under the subject: not found.
            try await client.execute(uri: "/registry/subjects/transfer.requested-value", method: .post,
                                     body: Self.lookupBody(OrderPlaced.avroSchema.jsonText)) { response async throws in
                #expect(response.status == .notFound)
                #expect(try Self.json(response)["error_code"] == .integer(40403))
            }
            try await client.execute(uri: "/registry/subjects/transfer.requested-value", method: .post,
                                     body: Self.lookupBody("{\"type\": \"nope\"}")) { response async throws in
                #expect(response.status == .unprocessableContent)
                #expect(try Self.json(response)["error_code"] == .integer(42201))
            }
        }
    }

    @Test func compatibilityIsCheckedAgainstTheContract() async throws {
        try await Self.test { client, _ in
            let same = Self.lookupBody(Money.avroSchema.jsonText)
            try await client.execute(uri: "/registry/compatibility/subjects/\(Money.avroSchema.fullName?.fullName ?? "")/versions/latest?verbose=true",
                                     method: .post, body: same) { response async throws in
                #expect(try Self.json(response)["is_compatible"] == .bool(true))
            }
            // A new field without a default cannot read old data.
            let broken = #"{"type":"record","name":"com.swiftsaga.common.Money","fields":[{"name":"amountMinor","type":"long"},{"name":"currency","type":"string"},{"name":"scale","type":"int"}]}"#
            try await client.execute(uri: "/registry/compatibility/subjects/com.swiftsaga.common.Money/versions/latest?verbose=true",
                                     method: .post, body: Self.lookupBody(broken)) { response async throws in
                let body = try Self.json(response)
                #expect(body["is_compatible"] == .bool(false))
                guard case .array(let messages)? = body["messages"] else { throw RegistryFixtures.FixtureError(description: "no messages") }
                #expect(!messages.isEmpty)
            }
        }
    }

    @Test func writesAreRefusedPointingAtTheSchemasFolder() async throws {
        try await Self.test { client, _ in
            let body = Self.lookupBody(TransferRequested.avroSchema.jsonText)
            let writes: [(String, HTTPRequest.Method)] = [
                ("/registry/subjects/transfer.requested-value/versions", .post), ("/registry/subjects/transfer.requested-value", .delete),
                ("/registry/subjects/transfer.requested-value/versions/1", .delete), ("/registry/config", .put),
                ("/registry/config/transfer.requested-value", .put), ("/registry/mode", .put),
            ]
            for (path, method) in writes {
                try await client.execute(uri: path, method: method, body: body) { response async throws in
                    #expect(response.status == .unprocessableContent, "\(method) \(path)")
                    let json = try Self.json(response)
                    #expect(json["error_code"] == .integer(42205))
                    guard case .string(let message)? = json["message"] else { throw RegistryFixtures.FixtureError(description: "no message") }
                    #expect(message.contains("schemas/"))
                }
            }
        }
    }

    @Test func configAndMode() async throws {
        try await Self.test { client, _ in
            try await client.execute(uri: "/registry/config", method: .get) { response async throws in
                #expect(try Self.json(response) == .object([("compatibilityLevel", .string("BACKWARD"))]))
            }
            try await client.execute(uri: "/registry/config/transfer.requested-value", method: .get) { response async throws in
                #expect(try Self.json(response)["compatibilityLevel"] == .string("BACKWARD"))
            }
            try await client.execute(uri: "/registry/mode", method: .get) { response async throws in
                #expect(try Self.json(response)["mode"] == .string("READONLY"))
            }
        }
    }
}
