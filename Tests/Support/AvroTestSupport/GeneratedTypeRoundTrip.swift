import Avro

/// Checks a generated `AvroCodable` type against the Avro module's generic encoder and
/// decoder, both ways, on sample values: what one writes the other reads, byte for byte.
public enum GeneratedTypeRoundTrip {
    /// A mismatch between the generated code and the generic path.
    public struct Mismatch: Error, CustomStringConvertible {
        /// The type and what differed.
        public var description: String
    }

    /// For `count` sample values of `type.avroSchema`: generic-encode, decode with the
    /// generated type, re-encode with the generated type (must give the same bytes), and
    /// decode those bytes generically (must give the same value). Returns the number of
    /// values checked.
    @discardableResult
    public static func check(_ type: any AvroCodable.Type, count: Int = 50, seed: UInt64 = 1) throws -> Int {
        let schema = type.avroSchema
        let encoder = AvroBinaryEncoder(schema: schema)
        let decoder = AvroBinaryDecoder(schema: schema)
        var samples = AvroSampleValues(seed: seed)
        for i in 0..<count {
            let value = samples.value(for: schema)
            let genericBytes = try encoder.encode(value)
            let generated = try type.init(avroEncoded: genericBytes)
            let generatedBytes = try generated.avroEncoded()
            guard generatedBytes == genericBytes else {
                throw Mismatch(description: "\(type) sample \(i): generated code wrote \(generatedBytes.count) bytes that differ from the generic encoder's \(genericBytes.count) for \(value)")
            }
            let decoded = try decoder.decode(generatedBytes)
            guard try encoder.encode(decoded) == genericBytes else {
                throw Mismatch(description: "\(type) sample \(i): the generic decoder read back something else: \(decoded) vs \(value)")
            }
        }
        return count
    }
}
