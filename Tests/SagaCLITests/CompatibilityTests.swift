import Avro
import Foundation
import Testing

/// `AvroCompatibility`: every break found, with its field path, in the right direction.
@Suite struct CompatibilityTests {
    static func schema(_ fields: String, name: String = "Order", extra: String = "") throws -> AvroSchema {
        try AvroSchema(parsing: """
            {"type": "record", "name": "\(name)", "namespace": "test.compat", \(extra) "fields": [\(fields)]}
            """)
    }

    static let v1 = """
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "quantity", "type": "int"},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "items", "type": {"type": "array", "items": {"type": "record", "name": "Item", "fields": [
            {"name": "sku", "type": "string"}, {"name": "price", "type": "long"}]}}}
        """

    /// Checks the verdict, and that Avro's resolver agrees wherever this says "compatible".
    func compare(_ old: AvroSchema, _ new: AvroSchema) throws -> AvroCompatibility.Report {
        let report = AvroCompatibility.compare(old: old, new: new)
        if report.backwardProblems.isEmpty { _ = try AvroResolvingDecoder(writer: old, reader: new) }
        if report.forwardProblems.isEmpty { _ = try AvroResolvingDecoder(writer: new, reader: old) }
        return report
    }

    @Test func identicalSchemasAreFullyCompatible() throws {
        let report = try compare(try Self.schema(Self.v1), try Self.schema(Self.v1))
        #expect(report.level == .full)
    }

    @Test func addingAFieldWithADefaultIsFullyCompatible() throws {
        let new = try Self.schema(Self.v1 + #", {"name": "note", "type": ["null", "string"], "default": null}"#)
        #expect(try compare(try Self.schema(Self.v1), new).level == .full)
    }

    @Test func addingARequiredFieldBreaksBackwardAndNamesTheField() throws {
        let new = try Self.schema(Self.v1 + #", {"name": "currency", "type": "string"}"#)
        let report = try compare(try Self.schema(Self.v1), new)
        #expect(report.level == .forward)
        #expect(report.backwardProblems.map(\.description) == [
            "currency: field currency of test.compat.Order is not in the writer's schema and has no default",
        ])
    }

    @Test func wideningIntToLongIsBackwardOnly() throws {
        let new = try Self.schema(Self.v1.replacingOccurrences(of: #""name": "quantity", "type": "int""#, with: #""name": "quantity", "type": "long""#))
        let report = try compare(try Self.schema(Self.v1), new)
        #expect(report.level == .backward)
        #expect(report.forwardProblems.map(\.description) == ["quantity: type changed from long to int, which Avro cannot promote"])
    }

    @Test func nestedChangesNameTheirPath() throws {
        let new = try Self.schema(Self.v1.replacingOccurrences(of: #""name": "price", "type": "long""#, with: #""name": "price", "type": "string""#))
        let report = try compare(try Self.schema(Self.v1), new)
        #expect(report.level == .none)
        #expect(report.backwardProblems.map(\.description) == ["items[].price: type changed from long to string, which Avro cannot promote"])
    }

    @Test func enumSymbolsNeedADefaultForOldReaders() throws {
        let added = try Self.schema(Self.v1.replacingOccurrences(of: #"["NEW", "PAID"]"#, with: #"["NEW", "PAID", "SHIPPED"]"#))
        let report = try compare(try Self.schema(Self.v1), added)
        #expect(report.level == .backward)
        #expect(report.forwardProblems.first?.description.contains("SHIPPED") == true)

        let withDefault = { (symbols: String) in
            Self.v1.replacingOccurrences(of: #""symbols": ["NEW", "PAID"]"#, with: #""symbols": \#(symbols), "default": "NEW""#)
        }
        let report2 = try compare(try Self.schema(withDefault(#"["NEW", "PAID"]"#)), try Self.schema(withDefault(#"["NEW", "PAID", "SHIPPED"]"#)))
        #expect(report2.level == .full)
    }

    @Test func renamingNeedsAnAlias() throws {
        let old = try Self.schema(#"{"name": "qty", "type": "int"}"#)
        let renamed = try Self.schema(#"{"name": "quantity", "type": "int"}"#)
        #expect(try compare(old, renamed).level == .none)
        let aliased = try Self.schema(#"{"name": "quantity", "type": "int", "aliases": ["qty"]}"#)
        #expect(try compare(old, aliased).level == .backward)
        let recordRenamed = try Self.schema(#"{"name": "qty", "type": "int"}"#, name: "Purchase", extra: #""aliases": ["test.compat.Order"],"#)
        #expect(try compare(old, recordRenamed).backwardProblems.isEmpty)
    }

    @Test func unionBranchesMustFindAHome() throws {
        let old = try Self.schema(#"{"name": "v", "type": ["null", "string", "long"]}"#)
        let narrower = try Self.schema(#"{"name": "v", "type": ["null", "string"], "default": null}"#)
        let report = try compare(old, narrower)
        #expect(report.level == .forward)
        #expect(report.backwardProblems.map(\.description) == [
            "v: the writer's union branch 2 (long) matches no branch of the reader's union [null, string]",
        ])
        let optional = try Self.schema(#"{"name": "v", "type": "string"}"#)
        let toOptional = try Self.schema(#"{"name": "v", "type": ["null", "string"], "default": null}"#)
        #expect(try compare(optional, toOptional).level == .backward)
    }

    @Test func fixedSizeAndDecimalScaleChangesBreak() throws {
        let old = try Self.schema(#"{"name": "h", "type": {"type": "fixed", "name": "H", "size": 4}}, {"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}"#)
        let new = try Self.schema(#"{"name": "h", "type": {"type": "fixed", "name": "H", "size": 8}}, {"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 3}}"#)
        let report = AvroCompatibility.compare(old: old, new: new)
        #expect(report.level == .none)
        #expect(report.backwardProblems.map(\.path) == [["h"], ["d"]])
    }

    @Test func recursiveSchemasTerminate() throws {
        let list = try Self.schema(#"{"name": "value", "type": "int"}, {"name": "next", "type": ["null", "Order"], "default": null}"#)
        #expect(try compare(list, list).level == .full)
    }
}
