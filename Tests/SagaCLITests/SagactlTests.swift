import Avro
import Foundation
import Testing

/// The `sagactl schema` commands, run as a process the way users and CI run them.
@Suite struct SagactlTests {
    static let money = "schemas/com.swiftsaga.common.Money.avsc"
    static let orderPlaced = "schemas/com.swiftsaga.order.OrderPlaced.avsc"

    static func parsed(_ path: String) throws -> AvroSchema {
        let directory = SagactlProcess.packageDirectory.appendingPathComponent("schemas")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".avsc") }
        let set = try AvroSchemaSet.parsing(files: files.map { directory.appendingPathComponent($0) })
        return try #require(set.schemas[URL(fileURLWithPath: path).lastPathComponent])
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sagactl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func canonicalPrintsTheParsingCanonicalFormWithReferencesExpanded() async throws {
        let result = try await SagactlProcess.run(["schema", "canonical", Self.orderPlaced])
        #expect(result.status == 0)
        #expect(result.text == (try Self.parsed(Self.orderPlaced)).canonicalForm + "\n")
        #expect(result.text.contains(#""name":"com.swiftsaga.common.MessageMetadata""#))
    }

    @Test func fingerprintPrintsHexSignedAndHeader() async throws {
        let fingerprint = try Self.parsed(Self.money).fingerprint
        let result = try await SagactlProcess.run(["schema", "fingerprint", Self.money])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "hex:    " + String(format: "%016llx", fingerprint))
        #expect(lines[1] == "signed: \(Int64(bitPattern: fingerprint))")
        #expect(lines[2].hasPrefix("header: C3 01 "))
        // fastavro prints the same fingerprint as the little-endian header bytes: de4695e524772fca.
        #expect(lines[2] == "header: C3 01 DE 46 95 E5 24 77 2F CA")
    }

    @Test func encodeAndDecodeRoundTripJSONThroughBinary() async throws {
        let json = #"{"amountMinor":10050,"currency":"INR"}"#
        let framed = try await SagactlProcess.run(["schema", "encode", Self.money], input: Array(json.utf8))
        #expect(framed.status == 0)
        #expect(Array(framed.output.prefix(2)) == [0xC3, 0x01])
        #expect(Array(framed.output.dropFirst(10)) == [0x84, 0x9D, 0x01, 0x06, 0x49, 0x4E, 0x52])
        let back = try await SagactlProcess.run(["schema", "decode", Self.money], input: framed.output)
        #expect(back.status == 0)
        #expect(back.text == json + "\n")

        let raw = try await SagactlProcess.run(["schema", "encode", "--framing", "raw", Self.money], input: Array(json.utf8))
        #expect(raw.output == [0x84, 0x9D, 0x01, 0x06, 0x49, 0x4E, 0x52])
        let rawBack = try await SagactlProcess.run(["schema", "decode", "--framing", "raw", Self.money], input: raw.output)
        #expect(rawBack.text == json + "\n")
    }

    @Test func encodeOfAUnionUsesAvroJSON() async throws {
        let json = #"{"metadata":{"messageId":"0f8fad5b-d9cb-469f-a165-70867728950e","sagaId":"0f8fad5b-d9cb-469f-a165-70867728950e","causationId":null,"occurredAt":1763700000000,"source":"upi","traceParent":null,"replyTo":null},"transferId":"0f8fad5b-d9cb-469f-a165-70867728950e","payerVpa":"alice@okbank","payeeVpa":"bob@upi","amount":{"amountMinor":10050,"currency":"INR"},"note":{"string":"rent"}}"#
        let file = "schemas/com.swiftsaga.transfer.TransferRequested.avsc"
        let encoded = try await SagactlProcess.run(["schema", "encode", file], input: Array(json.utf8))
        #expect(encoded.status == 0, "\(encoded.error)")
        let decoded = try await SagactlProcess.run(["schema", "decode", file], input: encoded.output)
        #expect(decoded.text == json + "\n")
    }

    @Test func sampleOutputEncodesAndDecodesBackUnchanged() async throws {
        let file = Self.orderPlaced
        let sample = try await SagactlProcess.run(["schema", "sample", "--seed", "7", file])
        #expect(sample.status == 0, "\(sample.error)")
        let encoded = try await SagactlProcess.run(["schema", "encode", file], input: sample.output)
        #expect(encoded.status == 0, "\(encoded.error)")
        let decoded = try await SagactlProcess.run(["schema", "decode", file], input: encoded.output)
        #expect(decoded.text == sample.text)
        let pretty = try await SagactlProcess.run(["schema", "decode", "--pretty", file], input: encoded.output)
        #expect(pretty.text.hasPrefix("{\n  \"metadata\": {\n"))
        #expect(pretty.text.filter { !$0.isWhitespace } == sample.text.filter { !$0.isWhitespace })
    }

    @Test func decodeResolvesDataWrittenWithAnOlderVersion() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = #"{"type":"record","name":"Money","namespace":"t","fields":[{"name":"amountMinor","type":"int"}]}"#
        let new = #"{"type":"record","name":"Money","namespace":"t","fields":[{"name":"amountMinor","type":"long"},{"name":"currency","type":"string","default":"INR"}]}"#
        try Data(old.utf8).write(to: directory.appendingPathComponent("old.avsc"))
        try Data(new.utf8).write(to: directory.appendingPathComponent("new.avsc"))
        let written = try await SagactlProcess.run(["schema", "encode", "old.avsc"], input: Array(#"{"amountMinor": 7}"#.utf8), in: directory)
        #expect(written.status == 0)
        let unknown = try await SagactlProcess.run(["schema", "decode", "new.avsc"], input: written.output, in: directory)
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("unknown schema fingerprint"))
        let resolved = try await SagactlProcess.run(["schema", "decode", "new.avsc", "--writer", "old.avsc"], input: written.output, in: directory)
        #expect(resolved.status == 0, "\(resolved.error)")
        #expect(resolved.text == #"{"amountMinor":7,"currency":"INR"}"# + "\n")
    }

    @Test func badInputExitsTwoWithAMessageNamingIt() async throws {
        let missing = try await SagactlProcess.run(["schema", "canonical", "schemas/nope.avsc"])
        #expect(missing.status == 2)
        #expect(missing.error.contains("nope.avsc"))
        let badJSON = try await SagactlProcess.run(["schema", "encode", Self.money], input: Array(#"{"amountMinor": "ten"}"#.utf8))
        #expect(badJSON.status == 2)
        #expect(badJSON.error.contains("amountMinor"))
        let truncated = try await SagactlProcess.run(["schema", "decode", "--framing", "raw", Self.money], input: [0x84])
        #expect(truncated.status == 2)
        #expect(truncated.error.contains("truncated"))
    }

    @Test func compatExplainsWhatBreaksAndExitsOneBelowTheRequiredLevel() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#
        let new = #"{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}"#
        try Data(old.utf8).write(to: directory.appendingPathComponent("old.avsc"))
        try Data(new.utf8).write(to: directory.appendingPathComponent("new.avsc"))
        let result = try await SagactlProcess.run(["schema", "compat", "old.avsc", "new.avsc"], in: directory)
        #expect(result.status == 1)
        #expect(result.text.contains("neither backward nor forward compatible"))
        #expect(result.text.contains("b: field b of R is not in the writer's schema and has no default"))
        #expect(result.text.contains("a: type changed from long to int"))
        let none = try await SagactlProcess.run(["schema", "compat", "--require", "none", "old.avsc", "new.avsc"], in: directory)
        #expect(none.status == 0)
        let same = try await SagactlProcess.run(["schema", "compat", "old.avsc", "old.avsc"], in: directory)
        #expect(same.status == 0)
        #expect(same.text.contains("fully compatible"))
    }

    @Test func checkPassesTheProjectSchemas() async throws {
        let result = try await SagactlProcess.run(["schema", "check"])
        #expect(result.status == 0, "\(result.text)\(result.error)")
        #expect(result.text.contains("39 schema(s) checked, 0 failed"))
    }

    @Test func checkComparesWithThePreviousGitVersion() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let schemas = directory.appendingPathComponent("schemas")
        try FileManager.default.createDirectory(at: schemas, withIntermediateDirectories: true)
        let money = schemas.appendingPathComponent("t.Money.avsc")
        let event = schemas.appendingPathComponent("t.Paid.avsc")
        try Data(#"{"type":"record","name":"Money","namespace":"t","fields":[{"name":"amountMinor","type":"long"}]}"#.utf8).write(to: money)
        try Data(#"{"type":"record","name":"Paid","namespace":"t","fields":[{"name":"amount","type":"t.Money"}]}"#.utf8).write(to: event)
        try SagactlProcess.git(["init", "-q"], in: directory)
        try SagactlProcess.git(["add", "."], in: directory)
        try SagactlProcess.git(["commit", "-q", "-m", "v1"], in: directory)

        let clean = try await SagactlProcess.run(["schema", "check"], in: directory)
        #expect(clean.status == 0, "\(clean.text)\(clean.error)")

        // A compatible change (a field with a default), not yet committed.
        try Data(#"{"type":"record","name":"Money","namespace":"t","fields":[{"name":"amountMinor","type":"long"},{"name":"currency","type":"string","default":"INR"}]}"#.utf8).write(to: money)
        let compatible = try await SagactlProcess.run(["schema", "check"], in: directory)
        #expect(compatible.status == 0, "\(compatible.text)")
        #expect(compatible.text.contains("ok   t.Money.avsc: full compatible"))

        // Committed, then broken: a required field; Paid (which uses Money) breaks too.
        try SagactlProcess.git(["commit", "-q", "-am", "v2"], in: directory)
        try Data(#"{"type":"record","name":"Money","namespace":"t","fields":[{"name":"amountMinor","type":"long"},{"name":"currency","type":"string","default":"INR"},{"name":"rate","type":"double"}]}"#.utf8).write(to: money)
        let broken = try await SagactlProcess.run(["schema", "check"], in: directory)
        #expect(broken.status == 1)
        #expect(broken.text.contains("FAIL t.Money.avsc: not backward compatible"))
        #expect(broken.text.contains("rate: field rate of t.Money is not in the writer's schema and has no default"))
        #expect(broken.text.contains("FAIL t.Paid.avsc"))
        #expect(broken.text.contains("amount.rate"))
        #expect(broken.error.contains("2 schema file(s) failed the check"))

        // Against an explicit revision, and a file named after the wrong type.
        let againstFirst = try await SagactlProcess.run(["schema", "check", "--against", "HEAD~1"], in: directory)
        #expect(againstFirst.status == 1)
        try FileManager.default.moveItem(at: money, to: schemas.appendingPathComponent("t.Cash.avsc"))
        let misnamed = try await SagactlProcess.run(["schema", "check"], in: directory)
        #expect(misnamed.status == 1)
        #expect(misnamed.text.contains("FAIL t.Cash.avsc: defines t.Money, so it must be named t.Money.avsc"))
    }

    @Test func checkReportsASchemaThatDoesNotParse() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(#"{"type":"record","name":"A","fields":[{"name":"x","type":"Mony"}]}"#.utf8).write(to: directory.appendingPathComponent("A.avsc"))
        let result = try await SagactlProcess.run(["schema", "check", "--dir", "."], in: directory)
        #expect(result.status == 1)
        #expect(result.text.contains("Mony"))
    }
}
