import Avro
@testable import AvroCodegen
import Testing

/// The generator as a library: names, ownership of types across files, and the errors it
/// gives for schemas Swift cannot express.
@Suite struct SwiftCodeGeneratorTests {
    static func generator(_ sources: [(String, String)]) throws -> SwiftCodeGenerator {
        let set = try AvroSchemaSet.parsingInDependencyOrder(sources.map { (source: $0.0, json: $0.1) })
        return SwiftCodeGenerator(schemaSet: set, sources: sources.map(\.0))
    }

    @Test func sameNameInTwoNamespacesGetsTheNamespaceAsPrefix() throws {
        let generator = try Self.generator([
            ("a.Failure.avsc", #"{"type":"record","name":"Failure","namespace":"com.x.order","fields":[{"name":"code","type":"string"}]}"#),
            ("b.Failure.avsc", #"{"type":"record","name":"Failure","namespace":"com.x.transfer","fields":[{"name":"code","type":"string"}]}"#),
            ("c.Money.avsc", #"{"type":"record","name":"Money","namespace":"com.x","fields":[{"name":"a","type":"long"}]}"#),
        ])
        let names = generator.swiftNames()
        #expect(names[AvroName(fullName: "com.x.order.Failure")] == "OrderFailure")
        #expect(names[AvroName(fullName: "com.x.transfer.Failure")] == "TransferFailure")
        #expect(names[AvroName(fullName: "com.x.Money")] == "Money")
    }

    @Test func eachTypeIsGeneratedOnceInTheFileThatDefinesIt() throws {
        let generator = try Self.generator([
            ("Money.avsc", #"{"type":"record","name":"Money","namespace":"t","doc":"An amount.","fields":[{"name":"minor","type":"long","doc":"Minor units."}]}"#),
            ("Paid.avsc", #"{"type":"record","name":"Paid","namespace":"t","fields":[{"name":"amount","type":"t.Money"},{"name":"refund","type":["null","t.Money"],"default":null},{"name":"kind","type":{"type":"enum","name":"Kind","symbols":["CARD_PAYMENT","UPI"]}}]}"#),
        ])
        let outputs = try generator.generate()
        #expect(outputs.map(\.fileName) == ["Money.swift", "Paid.swift"])
        let money = outputs[0].source, paid = outputs[1].source
        #expect(money.contains("public struct Money: Swift.Sendable, Swift.Hashable {"))
        #expect(money.contains("/// An amount."))
        #expect(money.contains("    /// Minor units.\n    public var minor: Swift.Int64"))
        #expect(!paid.contains("public struct Money"))
        #expect(paid.contains("public struct Paid"))
        #expect(paid.contains("public var refund: Money?"))
        #expect(paid.contains("refund: Money? = nil"))
        #expect(paid.contains("public enum Kind: Swift.String, Swift.Sendable, Swift.Hashable, Swift.CaseIterable {"))
        #expect(paid.contains("case cardPayment = \"CARD_PAYMENT\""))
        #expect(paid.contains("extension Paid: Avro.AvroCodable {"))
        let fingerprint = try #require(generator.schemaSet.schemas["Paid.avsc"]).fingerprint
        #expect(paid.contains("public static let avroFingerprint: Swift.UInt64 = 0x\(TypeEmitterSupport.hex(fingerprint))"))
        let index = generator.index(fileName: "Index.swift").source
        #expect(index.contains("        Kind.self,\n        Money.self,\n        Paid.self,\n"))
    }

    @Test func aRecordThatHoldsItselfWithoutACollectionIsReported() throws {
        let generator = try Self.generator([
            ("Node.avsc", #"{"type":"record","name":"Node","namespace":"t","fields":[{"name":"next","type":["null","Node"]}]}"#),
        ])
        #expect {
            _ = try generator.generate()
        } throws: { error in
            guard let error = error as? AvroCodegenError else { return false }
            return error.location == "t.Node" && error.message.contains("array or a map")
        }
    }

    @Test func unionEnumsDoNotShadowTopLevelTypes() throws {
        let generator = try Self.generator([
            ("Money.avsc", #"{"type":"record","name":"Money","namespace":"t","fields":[{"name":"a","type":"long"}]}"#),
            ("Box.avsc", #"{"type":"record","name":"Box","namespace":"t","fields":[{"name":"money","type":["string","t.Money"]}]}"#),
        ])
        let box = try generator.generate()[1].source
        #expect(box.contains("public var money: MoneyUnion"))
        #expect(box.contains("case money(Money)"))
    }

    @Test func symbolsBecomeCamelCaseCases() {
        #expect(SwiftNames.caseName("BUSINESS_FAILURE") == "businessFailure")
        #expect(SwiftNames.caseName("Red") == "red")
        #expect(SwiftNames.caseName("alreadyCamel") == "alreadyCamel")
        #expect(SwiftNames.caseName("default") == "`default`")
        #expect(SwiftNames.caseName("_1") == "_1")
        #expect(EnumEmitter.caseNames(["A_B", "AB", "a_b"]) == ["A_B": "aB", "AB": "ab", "a_b": "a_b"])
        #expect(SwiftNames.lowerFirst("URLRef") == "urlRef")
        #expect(SwiftNames.stringLiteral("a\"b\\c\n\u{1}") == #""a\"b\\c\n\u{1}""#)
    }
}
