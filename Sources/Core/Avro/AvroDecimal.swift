/// An exact decimal number: an arbitrary-size unscaled integer and a scale, the value
/// being `unscaled × 10^-scale`. This is Avro's own representation (big-endian two's
/// complement bytes), so it round-trips every value bit for bit.
public struct AvroDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The unscaled integer, big-endian two's complement, minimal length (at least one byte).
    public private(set) var unscaledBytes: [UInt8]
    /// Digits after the decimal point.
    public let scale: Int

    /// Creates a decimal from two's-complement big-endian bytes (as Avro encodes them).
    public init(unscaledBytes: [UInt8], scale: Int) {
        self.unscaledBytes = AvroDecimal.minimal(unscaledBytes)
        self.scale = scale
    }

    /// Creates a decimal `unscaled × 10^-scale`.
    public init(unscaled: Int64, scale: Int) {
        var bytes = [UInt8](repeating: 0, count: 8)
        var v = UInt64(bitPattern: unscaled)
        for i in stride(from: 7, through: 0, by: -1) { bytes[i] = UInt8(truncatingIfNeeded: v); v >>= 8 }
        self.init(unscaledBytes: bytes, scale: scale)
    }

    /// Parses decimal text such as `-123.4500` (sign, digits, optional point and digits).
    /// The scale is the number of digits written after the point.
    public init?(_ text: String) {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" { negative = true; digits = digits.dropFirst() } else if digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let intPart = parts.first, !(intPart.isEmpty && (parts.count < 2 || parts[1].isEmpty)) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        let all = intPart + fraction
        guard all.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Magnitude as base-256 big-endian, built by multiply-add per decimal digit.
        var magnitude: [UInt8] = [0]
        for ch in all.utf8 {
            var carry = UInt32(ch - UInt8(ascii: "0"))
            for i in stride(from: magnitude.count - 1, through: 0, by: -1) {
                let v = UInt32(magnitude[i]) * 10 + carry
                magnitude[i] = UInt8(truncatingIfNeeded: v)
                carry = v >> 8
            }
            while carry > 0 { magnitude.insert(UInt8(truncatingIfNeeded: carry), at: 0); carry >>= 8 }
        }
        magnitude.insert(0, at: 0)  // room for the sign bit
        self.init(unscaledBytes: negative ? AvroDecimal.negate(magnitude) : magnitude, scale: fraction.count)
    }

    /// True when the unscaled value is negative.
    public var isNegative: Bool { (unscaledBytes.first ?? 0) & 0x80 != 0 }

    /// The unscaled value if it fits in 64 bits.
    public var unscaledInt64: Int64? {
        guard unscaledBytes.count <= 8 else { return nil }
        var v: Int64 = isNegative ? -1 : 0
        for b in unscaledBytes { v = v << 8 | Int64(b) }
        return v
    }

    /// Exact decimal text, e.g. `-0.05` for unscaled -5 with scale 2.
    public var description: String {
        let negative = isNegative
        var magnitude = negative ? AvroDecimal.negate(unscaledBytes) : unscaledBytes
        // Repeated division by 10 of the big-endian magnitude.
        var digits: [UInt8] = []
        while magnitude.contains(where: { $0 != 0 }) {
            var remainder: UInt32 = 0
            for i in magnitude.indices {
                let v = remainder << 8 | UInt32(magnitude[i])
                magnitude[i] = UInt8(v / 10)
                remainder = v % 10
            }
            digits.append(UInt8(ascii: "0") + UInt8(remainder))
        }
        if digits.isEmpty { digits = [UInt8(ascii: "0")] }
        if scale > 0 {
            while digits.count <= scale { digits.append(UInt8(ascii: "0")) }
            digits.insert(UInt8(ascii: "."), at: scale)
        }
        if negative { digits.append(UInt8(ascii: "-")) }
        var text = String(decoding: digits.reversed(), as: UTF8.self)
        if scale < 0 { text += String(repeating: "0", count: -scale) }
        return text
    }

    /// Two's complement negation of a big-endian integer (same width).
    static func negate(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes.map { ~$0 }
        var carry: UInt16 = 1
        for i in stride(from: out.count - 1, through: 0, by: -1) where carry > 0 {
            let v = UInt16(out[i]) + carry
            out[i] = UInt8(truncatingIfNeeded: v)
            carry = v >> 8
        }
        return out
    }

    /// Drops redundant sign-extension bytes.
    static func minimal(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [0] }
        var start = 0
        while start < bytes.count - 1 {
            let b = bytes[start], next = bytes[start + 1]
            if (b == 0 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0) { start += 1 } else { break }
        }
        return Array(bytes[start...])
    }

    /// The unscaled bytes sign-extended to exactly `size` bytes (for `fixed`), or nil if they
    /// do not fit.
    public func unscaledBytes(paddedTo size: Int) -> [UInt8]? {
        guard unscaledBytes.count <= size else { return nil }
        let pad: UInt8 = isNegative ? 0xFF : 0
        return [UInt8](repeating: pad, count: size - unscaledBytes.count) + unscaledBytes
    }

    /// Whether the unscaled value has at most `precision` decimal digits. Rejects values
    /// with too many bytes before counting digits, so hostile input costs little.
    public func fits(precision: Int) -> Bool {
        // A value of n bytes has at least (8·(n−1) − 1)·log10(2) digits when minimal.
        let maximumBytes = (precision * 3322 / 1000 + 1) / 8 + 2
        guard unscaledBytes.count <= maximumBytes else { return false }
        if let small = unscaledInt64 {
            // The common case, without building text: count digits of the magnitude.
            var magnitude = small.magnitude
            var digits = 1
            while magnitude >= 10 { magnitude /= 10; digits += 1 }
            return digits <= precision
        }
        return digitCount <= precision
    }

    /// Number of significant decimal digits of the unscaled value (for precision checks).
    public var digitCount: Int {
        var text = description
        text.removeAll { $0 == "-" || $0 == "." }
        let trimmed = text.drop { $0 == "0" }
        return max(trimmed.count, 1)
    }

    /// The same value with exactly `target` digits after the point, or nil when that would
    /// change it (dropping digits other than trailing zeros) or `target` is negative.
    public func rescaledExactly(to target: Int) -> AvroDecimal? {
        if scale == target { return self }
        guard target >= 0 else { return nil }
        var text = description  // exact, with max(scale, 0) digits after the point
        let current = max(scale, 0)
        if target > current {
            if current == 0 { text += "." }
            text += String(repeating: "0", count: target - current)
        } else if target < current {
            let drop = current - target
            guard text.utf8.suffix(drop).allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }
            text.removeLast(drop)
            if text.hasSuffix(".") { text.removeLast() }
        }
        return AvroDecimal(text)
    }
}
