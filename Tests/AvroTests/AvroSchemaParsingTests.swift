import Foundation
import Testing
@testable import Avro

@Suite struct AvroSchemaParsingTests {
    @Test func primitivesInBothForms() throws {
        for name in ["null", "boolean", "int", "long", "float", "double", "bytes", "string"] {
            let short = try AvroSchema(parsing: "\"\(name)\"")
            let long = try AvroSchema(parsing: "{\"type\": \"\(name)\"}")
            #expect(short == long)
            #expect(short.typeName == name)
        }
    }

    @Test func recordWithEveryComplexType() throws {
        let schema = try AvroSchema(parsing: """
            {"type": "record", "name": "Order", "namespace": "shop", "doc": "An order.", "aliases": ["OldOrder"],
             "fields": [
               {"name": "id", "type": "string", "doc": "the id"},
               {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"], "default": "NEW"}},
               {"name": "hash", "type": {"type": "fixed", "name": "Hash", "namespace": "crypto", "size": 4}},
               {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
               {"name": "attrs", "type": {"type": "map", "values": "long"}, "default": {"a": 1}},
               {"name": "note", "type": ["null", "string"], "default": null, "order": "ignore", "aliases": ["comment"]},
               {"name": "again", "type": "Status", "default": "PAID"},
               {"name": "hash2", "type": "crypto.Hash"}
             ]}
            """)
        guard case .record(let record) = schema else { Issue.record("not a record"); return }
        #expect(record.name == AvroName(name: "Order", namespace: "shop"))
        #expect(record.aliases == [AvroName(fullName: "shop.OldOrder")])
        #expect(record.doc == "An order.")
        #expect(record.fields.map(\.name) == ["id", "status", "hash", "tags", "attrs", "note", "again", "hash2"])
        #expect(record.fields[0].doc == "the id")
        guard case .enumeration(let status) = record.fields[1].type else { Issue.record("not an enum"); return }
        #expect(status.name.fullName == "shop.Status")
        #expect(status.defaultSymbol == "NEW")
        #expect(record.fields[2].type.fullName?.fullName == "crypto.Hash")
        #expect(record.fields[3].defaultValue == .array([]))
        #expect(record.fields[4].defaultValue == .map(["a": .long(1)]))
        #expect(record.fields[5].defaultValue == .union(0, .null))
        #expect(record.fields[5].order == .ignore)
        #expect(record.fields[5].aliases == ["comment"])
        #expect(record.fields[6].type == .reference(AvroName(fullName: "shop.Status")))
        #expect(record.fields[6].defaultValue == .enumeration("PAID"))
        #expect(record.fields[7].type == .reference(AvroName(fullName: "crypto.Hash")))
        #expect(Set(schema.namedTypes.keys.map(\.fullName)) == ["shop.Order", "shop.Status", "crypto.Hash"])
    }

    @Test func recursiveRecordRefersToItself() throws {
        let schema = try AvroSchema(parsing: """
            {"type": "record", "name": "Node", "fields": [
              {"name": "value", "type": "int"}, {"name": "next", "type": ["null", "Node"]}]}
            """)
        guard case .record(let node) = schema, case .union(let branches) = node.fields[1].type else {
            Issue.record("unexpected shape"); return
        }
        #expect(branches[1] == .reference(AvroName(fullName: "Node")))
        let value = AvroValue.record(["value": .int(1), "next": .union(1, .record(["value": .int(2), "next": .union(0, .null)]))])
        let bytes = try AvroBinaryEncoder(schema: schema).encode(value)
        #expect(try AvroBinaryDecoder(schema: schema).decode(bytes) == value)
    }

    @Test func logicalTypes() throws {
        let schema = try AvroSchema(parsing: """
            {"type": "record", "name": "L", "fields": [
              {"name": "a", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "b", "type": {"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4}},
              {"name": "c", "type": {"type": "string", "logicalType": "uuid"}},
              {"name": "d", "type": {"type": "int", "logicalType": "date"}},
              {"name": "e", "type": {"type": "int", "logicalType": "time-millis"}},
              {"name": "f", "type": {"type": "long", "logicalType": "time-micros"}},
              {"name": "g", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "h", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "i", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
              {"name": "j", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
              {"name": "k", "type": "D"}
            ]}
            """)
        guard case .record(let record) = schema else { Issue.record("not a record"); return }
        let types = record.fields.map { field -> AvroLogicalType? in
            if case .logical(let t, _) = field.type { return t }
            return nil
        }
        #expect(types == [.decimal(precision: 10, scale: 2), .decimal(precision: 18, scale: 4), .uuid, .date, .timeMillis,
                          .timeMicros, .timestampMillis, .timestampMicros, .localTimestampMillis, .localTimestampMicros, nil])
        #expect(schema.namedTypes[AvroName(fullName: "D")] == record.fields[1].type)
    }

    @Test func invalidLogicalTypesAreIgnoredAsTheSpecRequires() throws {
        // scale > precision; precision too large for 2 bytes; date on a string; unknown name.
        let schema = try AvroSchema(parsing: """
            {"type": "record", "name": "L", "fields": [
              {"name": "a", "type": {"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 3}},
              {"name": "b", "type": {"type": "fixed", "name": "F", "size": 2, "logicalType": "decimal", "precision": 5}},
              {"name": "c", "type": {"type": "string", "logicalType": "date"}},
              {"name": "d", "type": {"type": "long", "logicalType": "made-up"}}
            ]}
            """)
        guard case .record(let record) = schema else { Issue.record("not a record"); return }
        #expect(record.fields[0].type == .bytes)
        #expect(record.fields[1].type == .fixed(AvroFixedSchema(name: AvroName(fullName: "F"), size: 2)))
        #expect(record.fields[2].type == .string)
        #expect(record.fields[3].type == .long)
    }

    @Test func namespacesInheritAndFullNamesOverride() throws {
        let schema = try AvroSchema(parsing: """
            {"type": "record", "name": "a.b.Outer", "namespace": "ignored", "fields": [
              {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": []}},
              {"name": "other", "type": {"type": "enum", "name": "x.Other", "symbols": ["A"]}},
              {"name": "nulled", "type": {"type": "fixed", "name": "Top", "namespace": "", "size": 1}},
              {"name": "ref", "type": "Inner"}
            ]}
            """)
        let names = Set(schema.namedTypes.keys.map(\.fullName))
        #expect(names == ["a.b.Outer", "a.b.Inner", "x.Other", "Top"])
    }

    static let invalidSchemas: [(json: String, message: String, location: String)] = [
        (#"{"type": "record", "name": "R", "fields": [{"name": "m", "type": "Mony"}]}"#, "unknown type name", "fields[0].type"),
        (#"{"type": "record", "name": "R"}"#, "needs a \"fields\" array", ""),
        (#"{"type": "record", "name": "1R", "fields": []}"#, "invalid name", ""),
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "long"}]}"#, "two fields named", "fields[1]"),
        (#"{"type": "enum", "name": "E", "symbols": ["A", "A"]}"#, "appears twice", ""),
        (#"{"type": "enum", "name": "E", "symbols": ["A"], "default": "B"}"#, "must be one of its symbols", ""),
        (#"{"type": "fixed", "name": "F", "size": -1}"#, "non-negative integer \"size\"", ""),
        (#"{"type": "array"}"#, "no \"items\"", ""),
        (#"{"type": "map"}"#, "no \"values\"", ""),
        (#"["int", "int"]"#, "two branches of type \"int\"", "[1]"),
        (#"["null", ["int"]]"#, "may not directly contain another union", "[1]"),
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": "x"}]}"#, "invalid default", "fields[0].default"),
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": 3000000000}]}"#, "invalid default", "fields[0].default"),
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "int"], "default": "x"}]}"#, "invalid default", "fields[0].default"),
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "fixed", "name": "F", "size": 2}, "default": "abc"}]}"#, "invalid default", "fields[0].default"),
        (#"{"type": "record", "name": "int", "fields": []}"#, "primitive type", ""),
        (#"{"type": "record", "name": "R", "fields": [{"name": "r", "type": {"type": "record", "name": "R", "fields": []}}]}"#, "defined twice", "fields[0].type"),
        (#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "order": "up"}]}"#, "\"order\"", "fields[0]"),
        (#"{"type": "nope"}"#, "unknown type name", "type"),
        (#"{"name": "x"}"#, "no \"type\"", ""),
        (#"42"#, "expected a type name", ""),
        (#"{"type": "record", "name": "R", "fields": [}"#, "invalid JSON", ""),
        (#"{"type": "int", "type": "long"}"#, "duplicate key", ""),
        (#"{"type": "bytes", "logicalType": "decimal", "precision": 9000000000000000000, "scale": 2}"#, "exceeds this implementation's limit", ""),
    ]

    @Test(arguments: invalidSchemas)
    func invalidSchemasAreRejectedWithLocation(json: String, message: String, location: String) {
        #expect {
            _ = try AvroSchema(parsing: json)
        } throws: { error in
            guard let error = error as? AvroSchemaError else { return false }
            return error.description.contains(message) && error.location == location
        }
    }

    @Test func schemaSetSharesNamedTypesAcrossFilesInAnyOrder() throws {
        let money = #"{"type": "record", "name": "Money", "namespace": "pay", "fields": [{"name": "minor", "type": "long"}, {"name": "currency", "type": "string"}]}"#
        let order = #"{"type": "record", "name": "Order", "namespace": "pay", "fields": [{"name": "total", "type": "Money"}, {"name": "fee", "type": ["null", "pay.Money"]}]}"#
        let refund = #"{"type": "record", "name": "Refund", "namespace": "other", "fields": [{"name": "amount", "type": "pay.Money"}, {"name": "order", "type": "pay.Order"}]}"#
        let set = try AvroSchemaSet.parsingInDependencyOrder([("Refund.avsc", refund), ("Order.avsc", order), ("Money.avsc", money)])
        let parsedOrder = try #require(set.schemas["Order.avsc"])
        let parsedRefund = try #require(set.schemas["Refund.avsc"])
        // Self-contained: Money is inlined at its first use, referenced after.
        #expect(parsedOrder.canonicalForm == #"{"name":"pay.Order","type":"record","fields":[{"name":"total","type":{"name":"pay.Money","type":"record","fields":[{"name":"minor","type":"long"},{"name":"currency","type":"string"}]}},{"name":"fee","type":["null","pay.Money"]}]}"#)
        // Refund uses Money before Order, which itself uses Money: Money must be defined once.
        #expect(parsedRefund.canonicalForm.components(separatedBy: "\"type\":\"record\",\"fields\":[{\"name\":\"minor\"").count == 2)
        #expect(Set(parsedRefund.namedTypes.keys.map(\.fullName)) == ["other.Refund", "pay.Money", "pay.Order"])
        let value = AvroValue.record(["amount": .record(["minor": .long(5), "currency": .string("INR")]),
                                      "order": .record(["total": .record(["minor": .long(9), "currency": .string("INR")]), "fee": .union(0, .null)])])
        let bytes = try AvroBinaryEncoder(schema: parsedRefund).encode(value)
        #expect(try AvroBinaryDecoder(schema: parsedRefund).decode(bytes) == value)
    }

    @Test func schemaSetNamesMissingReferences() {
        #expect {
            _ = try AvroSchemaSet.parsingInDependencyOrder([("A.avsc", #"{"type": "record", "name": "A", "fields": [{"name": "b", "type": "B"}]}"#)])
        } throws: { error in
            (error as? AvroSchemaError)?.description == "invalid Avro schema in A.avsc at fields[0].type: unknown type name \"B\""
        }
    }

    @Test func schemaSetRejectsConflictingRedefinition() throws {
        var set = AvroSchemaSet()
        try set.add(parsing: #"{"type": "enum", "name": "E", "symbols": ["A"]}"#, source: "one")
        #expect(throws: AvroSchemaError.self) {
            try set.add(parsing: #"{"type": "enum", "name": "E", "symbols": ["A", "B"]}"#, source: "two")
        }
    }

    @Test func jsonOutputParsesBackToTheSameSchema() throws {
        let text = """
            {"type": "record", "name": "Order", "namespace": "shop", "doc": "d", "aliases": ["O"], "fields": [
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}, "default": "\\u0000"},
              {"name": "when", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"], "default": "A"}},
              {"name": "next", "type": ["null", "Order"], "default": null, "order": "descending"}
            ]}
            """
        let schema = try AvroSchema(parsing: text)
        let again = try AvroSchema(parsing: schema.jsonText)
        #expect(again == schema)
    }

    @Test func schemaFilesParseInDependencyOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("avro-schemas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let money = directory.appendingPathComponent("pay.Money.avsc")
        let order = directory.appendingPathComponent("pay.Order.avsc")
        try Data(#"{"type": "record", "name": "pay.Money", "fields": [{"name": "minor", "type": "long"}]}"#.utf8).write(to: money)
        try Data(#"{"type": "record", "name": "pay.Order", "fields": [{"name": "total", "type": "Money"}]}"#.utf8).write(to: order)
        let set = try AvroSchemaSet.parsing(files: [order, money])
        #expect(set.schemas["pay.Order.avsc"]?.canonicalForm
                == #"{"name":"pay.Order","type":"record","fields":[{"name":"total","type":{"name":"pay.Money","type":"record","fields":[{"name":"minor","type":"long"}]}}]}"#)
        #expect(try AvroSchema(contentsOf: money) == set["pay.Money"])
        // Alone, Order cannot resolve Money.
        #expect {
            try AvroSchema(contentsOf: order)
        } throws: { error in
            (error as? AvroSchemaError)?.description == "invalid Avro schema in pay.Order.avsc at fields[0].type: unknown type name \"pay.Money\" or \"Money\""
        }
        #expect {
            try AvroSchema(contentsOf: directory.appendingPathComponent("missing.avsc"))
        } throws: { error in
            (error as? AvroSchemaError)?.description.hasPrefix("invalid Avro schema in missing.avsc at the top level: cannot read file") ?? false
        }
    }
}

