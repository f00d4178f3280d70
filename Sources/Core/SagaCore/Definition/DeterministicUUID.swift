/// Derives stable UUID text from a name, so that the ids of messages a transition emits do not
/// depend on when or how often it is computed (a replayed transition produces the same ids, and
/// consumers deduplicate on them).
///
/// The 128 bits are two independent 64-bit FNV-1a hashes of the name, formatted as a version-8
/// (custom) RFC 9562 UUID in canonical lower-case text, as the contracts require for ids.
public enum DeterministicUUID {
    /// The UUID text for `name`.
    public static func make(_ name: String) -> String {
        var high: UInt64 = 0xcbf2_9ce4_8422_2325
        var low: UInt64 = 0x8422_2325_cbf2_9ce4 ^ 0x5bd1_e995
        for byte in name.utf8 {
            high = (high ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            low = (low ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            low = (low << 7) | (low >> 57)
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i))
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x80 // version 8
        bytes[8] = (bytes[8] & 0x3f) | 0x80 // RFC 9562 variant
        let hex = bytes.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
