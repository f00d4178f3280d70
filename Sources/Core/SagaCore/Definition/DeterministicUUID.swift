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
        // Canonical text written into one 36-byte buffer: no string per byte, no joins (it runs
        // for every message a transition emits).
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { text in
            var at = 0
            for index in 0..<16 {
                var byte = UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> (56 - 8 * (index % 8)))
                if index == 6 { byte = (byte & 0x0f) | 0x80 }  // version 8
                if index == 8 { byte = (byte & 0x3f) | 0x80 }  // RFC 9562 variant
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[at] = UInt8(ascii: "-")
                    at += 1
                }
                text[at] = digits.utf8Start[Int(byte >> 4)]
                text[at + 1] = digits.utf8Start[Int(byte & 0x0f)]
                at += 2
            }
            return at
        }
    }
}
