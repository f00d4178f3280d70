/// The two framings a Kafka value of Avro binary can use, told apart by their first bytes:
/// single-object encoding (``AvroSingleObject``: `C3 01` + 8-byte fingerprint) and the
/// Confluent wire format (``AvroConfluentWireFormat``: `00` + 4-byte big-endian schema id).
///
/// A consumer that accepts both calls ``detect(_:)`` per message: a single-object value names
/// its writer schema by fingerprint (looked up in an ``AvroSchemaStore``), a Confluent value by
/// a registry's schema id (fetched from the registry once, then known for good: ids never change).
public enum AvroWireFraming: Sendable, Hashable, CustomStringConvertible {
    /// `C3 01` and the writer schema's CRC-64-AVRO fingerprint.
    case singleObject(fingerprint: UInt64)
    /// `00` and the writer schema's id in a schema registry.
    case confluent(schemaID: Int32)

    /// Which framing, without the schema it names.
    public var format: AvroWireFormat {
        switch self {
        case .singleObject: .singleObject
        case .confluent: .confluent
        }
    }

    /// Where the Avro body starts.
    public var bodyOffset: Int {
        switch self {
        case .singleObject: AvroSingleObject.headerSize
        case .confluent: AvroConfluentWireFormat.headerSize
        }
    }

    public var description: String {
        switch self {
        case .singleObject(let fingerprint): "single-object (fingerprint 0x\(String(fingerprint, radix: 16)))"
        case .confluent(let id): "Confluent (schema id \(id))"
        }
    }

    /// Tells the framing of `message` by its magic bytes and reads the schema reference it carries.
    ///
    /// Throws ``AvroDecodingError`` with kind ``AvroDecodingError/Kind/unknownFraming(found:)``
    /// when the value starts with neither marker (e.g. JSON text, or a value without framing),
    /// and ``AvroDecodingError/Kind/truncated(needed:)`` when it is shorter than its header.
    public static func detect(_ message: [UInt8]) throws(AvroDecodingError) -> AvroWireFraming {
        guard let first = message.first else {
            throw AvroDecodingError(.unknownFraming(found: []), offset: 0)
        }
        if first == AvroConfluentWireFormat.magic {
            return .confluent(schemaID: try AvroConfluentWireFormat.schemaID(of: message))
        }
        if first == AvroSingleObject.marker[0], message.count == 1 || message[1] == AvroSingleObject.marker[1] {
            return .singleObject(fingerprint: try AvroSingleObject.fingerprint(of: message))
        }
        throw AvroDecodingError(.unknownFraming(found: Array(message.prefix(2))), offset: 0)
    }

    /// Decodes a value in either framing into `T`. A single-object value's fingerprint, or a
    /// Confluent value's schema id (``AvroSchemaStore/register(_:confluentID:)``), must be known
    /// to `store` (its own schema's fingerprint always is); the writer schema is resolved to `T`'s.
    public static func decode<T: AvroCodable>(_ type: T.Type, from message: [UInt8], store: AvroSchemaStore) throws(AvroDecodingError) -> T {
        switch try detect(message) {
        case .singleObject: try AvroSingleObject.decode(T.self, from: message, store: store)
        case .confluent: try AvroConfluentWireFormat.decode(T.self, from: message, store: store)
        }
    }

    /// Decodes a value in either framing into a generic value of its writer schema, or
    /// resolved to `readerSchema` when one is given (see ``decode(_:from:store:)``).
    public static func decode(_ message: [UInt8], store: AvroSchemaStore, readerSchema: AvroSchema? = nil) throws(AvroDecodingError) -> AvroValue {
        switch try detect(message) {
        case .singleObject: try AvroSingleObject.decode(message, store: store, readerSchema: readerSchema)
        case .confluent: try AvroConfluentWireFormat.decode(message, store: store, readerSchema: readerSchema)
        }
    }
}

/// A framing of Avro binary values on Kafka, as the `content-type` header names it.
public enum AvroWireFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Avro single-object encoding (`C3 01` + fingerprint): our default.
    case singleObject = "single-object"
    /// Confluent's wire format (`00` + schema id), for teams with a schema registry.
    case confluent

    /// The media type of Avro binary values; the framing is its parameter.
    public static let mediaType = "application/vnd.apache.avro+binary"

    /// The `content-type` header value of this framing, e.g.
    /// `application/vnd.apache.avro+binary; single-object` (the values of `SagaContracts`).
    public var contentType: String { "\(Self.mediaType); \(rawValue)" }

    public var description: String { rawValue }

    /// Checks a `content-type` header value against the framing detected in the value's bytes.
    ///
    /// Media type and parameter compare without regard to case or spaces. A header that names
    /// the Avro binary media type without a framing parameter agrees with either framing; a
    /// missing header (`nil`) is not checked. Throws ``AvroContentTypeMismatch`` saying why
    /// they disagree: another media type, an unknown framing, or the other framing.
    public static func check(contentType header: String?, against detected: AvroWireFraming) throws(AvroContentTypeMismatch) {
        guard let header else { return }
        let parts = header.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingSpaces().lowercased()
        }
        guard parts.first == mediaType else {
            throw AvroContentTypeMismatch(contentType: header, detected: detected,
                                          reason: "the header names media type '\(parts.first ?? "")', not \(mediaType)")
        }
        let framings = parts.dropFirst().filter { !$0.isEmpty && !$0.contains("=") }
        guard let named = framings.first else { return }
        guard framings.count == 1, let format = AvroWireFormat(rawValue: named) else {
            throw AvroContentTypeMismatch(contentType: header, detected: detected,
                                          reason: "the header's framing '\(framings.joined(separator: "; "))' is neither single-object nor confluent")
        }
        guard format == detected.format else {
            throw AvroContentTypeMismatch(contentType: header, detected: detected,
                                          reason: "the header says \(format) but the value's bytes are \(detected)")
        }
    }
}

/// A `content-type` header that disagrees with the framing of the value it came with.
public struct AvroContentTypeMismatch: Error, Sendable, Hashable, CustomStringConvertible {
    /// The header value as received.
    public var contentType: String
    /// The framing the value's bytes have.
    public var detected: AvroWireFraming
    /// Why they disagree.
    public var reason: String

    /// Creates the error.
    public init(contentType: String, detected: AvroWireFraming, reason: String) {
        self.contentType = contentType
        self.detected = detected
        self.reason = reason
    }

    public var description: String {
        "content-type '\(contentType)' does not match the value: \(reason)"
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
