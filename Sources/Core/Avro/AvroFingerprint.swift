/// The CRC-64-AVRO fingerprint (a Rabin fingerprint) the Avro specification defines for
/// schemas' Parsing Canonical Forms.
public enum AvroFingerprint {
    /// The fingerprint of the empty input, and the polynomial's seed.
    public static let empty: UInt64 = 0xC15D_213A_A4D7_A795

    static let table: [UInt64] = (0..<256).map { i in
        var fp = UInt64(i)
        for _ in 0..<8 { fp = (fp >> 1) ^ (empty & (0 &- (fp & 1))) }
        return fp
    }

    /// The CRC-64-AVRO fingerprint of `bytes`.
    public static func rabin(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var fp = empty
        table.withUnsafeBufferPointer { table in
            for b in bytes { fp = (fp >> 8) ^ table[Int((fp ^ UInt64(b)) & 0xFF)] }
        }
        return fp
    }

    /// The fingerprint of a schema's Parsing Canonical Form.
    public static func rabin(_ schema: AvroSchema) -> UInt64 { schema.fingerprint }

    /// The fingerprint as Avro's single-object header carries it: 8 bytes, little-endian.
    public static func littleEndianBytes(_ fingerprint: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: fingerprint >> (8 * UInt64($0))) }
    }
}
