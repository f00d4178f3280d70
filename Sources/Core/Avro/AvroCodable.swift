/// A Swift type with a fixed Avro schema and hand-written or generated binary coding.
///
/// ## What generated code must do
/// - `avroSchema`: the type's schema, self-contained (as ``AvroSchema/init(parsing:)`` or
///   ``AvroSchemaSet`` returns it). Generate it once, e.g.
///   `public static let avroSchema: AvroSchema = …` (a `static let` so it is built once).
/// - `avroFingerprint`: override the default with the constant computed at generation time,
///   `public static let avroFingerprint: UInt64 = 0x…` (``AvroSchema/fingerprint``); the
///   default implementation recomputes it on every call.
/// - `encode(to:)`: write each field in schema order with the ``AvroWriter`` calls for its
///   type: `writeInt/Long/Float/Double/Boolean/String/Bytes/Fixed`, `writeEnumOrdinal` for
///   enums, `writeUnionIndex(i)` then the branch value for unions (`writeOptional` for
///   `["null", T]` only), `writeArray`/`writeMap` for collections, nested types' own
///   `encode(to:)`. Logical types: decimal → ``AvroDecimal/unscaledBytes`` (or
///   ``AvroDecimal/unscaledBytes(paddedTo:)`` for fixed) with the schema's scale; uuid →
///   lowercase `uuidString`; dates/times/timestamps → their integer.
/// - `init(from:)`: read the same fields in the same order with the matching
///   ``AvroReader`` calls (`readUnionIndex(branchCount:)`, `readEnumOrdinal(symbolCount:)`,
///   `readArray`, `readMap`, `readOptional`, …) and rethrow their errors unchanged. Wrap
///   each field read in `do { … } catch { throw error.prefixed(with: "fieldName") }` so
///   errors name the field. A record type that can contain itself (directly or through other
///   records) must call `try reader.enterNested()` first and `reader.leaveNested()` on exit
///   (`defer`), so hostile input cannot overflow the stack.
/// - Never trap on input: no `!`, no `try!`, no unchecked `Int(...)` conversions of read values.
///
/// Data written with a *different* writer schema (an older or newer version) is read with
/// ``init(avroEncoded:writerSchema:)``, which resolves it to `avroSchema` first; generated
/// code needs nothing extra for that.
public protocol AvroCodable: Sendable {
    /// The schema this type is written and read with.
    static var avroSchema: AvroSchema { get }
    /// The CRC-64-AVRO fingerprint of ``avroSchema``'s Parsing Canonical Form.
    static var avroFingerprint: UInt64 { get }
    /// Appends this value's binary encoding to `writer`. Throws for a value the schema cannot
    /// hold exactly (a decimal too large for its `fixed` or precision, or with more digits
    /// after the point than the schema's scale); the writer may then hold part of the value.
    func encode(to writer: inout AvroWriter) throws(AvroEncodingError)
    /// Reads a value at the reader's position.
    init(from reader: inout AvroReader) throws(AvroDecodingError)
}

extension AvroCodable {
    /// Default: computed from ``avroSchema`` on each call (generated code overrides it).
    public static var avroFingerprint: UInt64 { avroSchema.fingerprint }

    /// This value's binary encoding (no framing).
    @inlinable
    public func avroEncoded() throws(AvroEncodingError) -> [UInt8] {
        var writer = AvroWriter()
        try encode(to: &writer)
        return writer.bytes
    }

    /// Decodes a value that must span all of `bytes`, written with ``avroSchema``.
    @inlinable
    public init(avroEncoded bytes: [UInt8], limits: AvroDecodingLimits = .default) throws(AvroDecodingError) {
        self = try AvroReader.decodeWhole(bytes, limits: limits) { (reader: inout AvroReader) throws(AvroDecodingError) in try Self(from: &reader) }
    }
}
