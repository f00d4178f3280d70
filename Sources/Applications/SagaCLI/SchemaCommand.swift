import ArgumentParser
import Avro

/// `sagactl schema …`: tools for evolving the Avro contracts.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Inspect, compare, check and use Avro schemas (.avsc).",
        discussion: """
            A schema file may use named types defined in other files of its directory: the type \
            com.acme.Money is looked up in com.acme.Money.avsc beside it.
            """,
        subcommands: [
            CanonicalCommand.self, FingerprintCommand.self, CompatCommand.self,
            EncodeCommand.self, DecodeCommand.self, SampleCommand.self, CheckCommand.self, RegisterCommand.self,
        ]
    )
}

/// `sagactl schema canonical FILE`.
struct CanonicalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canonical",
        abstract: "Print the schema's Parsing Canonical Form (what fingerprints are computed on)."
    )

    @Argument(help: "The .avsc file.") var file: String

    func run() throws {
        try runReportingErrors {
            StandardStreams.writeLine(try SchemaFileLoader.loadPath(file).canonicalForm)
        }
    }
}

/// `sagactl schema fingerprint FILE`.
struct FingerprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Print the schema's CRC-64-AVRO fingerprint: hex, signed decimal, and the single-object header.",
        discussion: """
            hex is the 64-bit value, most significant digit first; signed is the same bits as a \
            signed 64-bit integer (Java's SchemaNormalization.parsingFingerprint64); header is what \
            single-object encoding puts before the body (C3 01, then the fingerprint little-endian).
            """
    )

    @Argument(help: "The .avsc file.") var file: String

    func run() throws {
        try runReportingErrors {
            let fingerprint = try SchemaFileLoader.loadPath(file).fingerprint
            for line in Self.describe(fingerprint) { StandardStreams.writeLine(line) }
        }
    }

    static func describe(_ fingerprint: UInt64) -> [String] {
        let hex = String(fingerprint, radix: 16)
        let header = AvroSingleObject.header(fingerprint: fingerprint).map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
        return [
            "hex:    " + String(repeating: "0", count: 16 - hex.count) + hex,
            "signed: \(Int64(bitPattern: fingerprint))",
            "header: " + header,
        ]
    }
}
