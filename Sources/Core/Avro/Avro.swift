// The Avro module: schemas, binary and JSON encodings, schema resolution, fingerprints
// and message framing, per the Avro 1.11/1.12 specification. No Kafka dependency.
//
// Entry points
// - Schemas: `AvroSchema(parsing:)`, `AvroSchema(contentsOf:)`; several files sharing
//   named types: `AvroSchemaSet` (`add(parsing:source:)`, `parsingInDependencyOrder(_:)`,
//   `parsing(files:)`). Model: `AvroSchema` (indirect enum; `.reference(AvroName)` for
//   uses after the first definition), `AvroRecordSchema`, `AvroField`, `AvroEnumSchema`,
//   `AvroFixedSchema`, `AvroLogicalType`, `AvroName`.
// - Low-level binary coding (what generated code calls): `AvroWriter`, `AvroReader`
//   (bounds-checked, `throws(AvroDecodingError)`), `AvroDecodingLimits`.
// - Generated types: `AvroCodable` (see its doc comment for the contract).
// - Generic values: `AvroValue`, `AvroDecimal`; `AvroBinaryEncoder`, `AvroBinaryDecoder`;
//   JSON encoding of values: `AvroJSONCoder`.
// - Schema resolution (reading old data with a new schema): `AvroResolvingDecoder`
//   (`decode` to generic values; `transcode` to the reader schema's bytes, which is how
//   `AvroCodable` types read evolved data: `init(avroEncoded:writerSchema:store:)`).
// - Writer schemas by fingerprint / registry id, with cached resolutions: `AvroSchemaStore`.
// - Identity: `AvroSchema.canonicalForm`, `AvroSchema.fingerprint`, `AvroFingerprint`.
// - Framing: `AvroSingleObject` (C3 01 + fingerprint + body) with `AvroSchemaStore`;
//   `AvroConfluentWireFormat` (0 + schema id + body).
// - Errors: `AvroSchemaError` (message + JSON location + source file), `AvroDecodingError`
//   (kind + byte offset + field path), `AvroEncodingError`, `AvroResolutionError` (both with
//   field paths, see `AvroFieldPathError`), and `AvroError` wrapping any of them.
// - Hostile input: every read is bounds-checked; lengths and counts are checked against
//   the remaining input before any allocation; `AvroDecodingLimits` bounds nesting depth
//   and zero-size collection items.
// - JSON: `JSONValue` (order-keeping, exact-integer JSON used by all of the above;
//   `serialized`, `prettySerialized`).
