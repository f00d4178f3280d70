import Avro
import Foundation
import SagaAvro
import SagaContracts
import Testing

/// ``AvroPayloadJSON/contracts``: stored payloads decoded to JSON with the contracts' schemas,
/// in either framing; anything else a failure saying why, never an error thrown.
@Suite struct AvroPayloadJSONTests {
    let money = Money(amountMinor: 2_500, currency: "INR")

    @Test func aContractDecodesInEitherFraming() throws {
        let single = try AvroSingleObject.encode(money)
        guard case .success(let decoded) = AvroPayloadJSON.contracts.decode(single) else {
            Issue.record("single-object Money not decoded")
            return
        }
        #expect(decoded.type == "com.swiftsaga.common.Money")
        #expect(decoded.json["amountMinor"] == .integer(2_500) && decoded.json["currency"] == .string("INR"))

        // A Confluent id this process registered (as SchemaResolution does for the contracts).
        SagaAvro.schemas.register(Money.avroSchema, confluentID: 990_001)
        let confluent = try AvroConfluentWireFormat.encode(money, schemaID: 990_001)
        guard case .success(let fromConfluent) = AvroPayloadJSON.contracts.decode(confluent) else {
            Issue.record("Confluent-framed Money not decoded")
            return
        }
        #expect(fromConfluent.json == decoded.json)
    }

    @Test func unknownSchemasAndOtherBytesAreFailuresSayingWhy() throws {
        let cases: [([UInt8], String)] = [
            (Array(#"{"a":1}"#.utf8), "not an Avro"),
            (AvroSingleObject.header(fingerprint: 0x0123_4567_89ab_cdef) + [0], "unknown"),
            (AvroConfluentWireFormat.header(schemaID: 990_999) + [0], "unknown"),
            (Array((try AvroSingleObject.encode(money)).prefix(11)), "cannot decode as com.swiftsaga.common.Money"),
        ]
        for (bytes, reason) in cases {
            guard case .failure(let failure) = AvroPayloadJSON.contracts.decode(bytes) else {
                Issue.record("\(bytes) decoded")
                continue
            }
            #expect(failure.message.contains(reason), "\(failure.message)")
        }
    }
}
