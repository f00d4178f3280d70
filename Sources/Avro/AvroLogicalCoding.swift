// Logical-type helpers for generated code (written for avro-codegen): UUIDs as their
// lower-case text without going through `uuidString`, timestamps as Foundation `Date`, and
// decimals with the schema's scale.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AvroWriter {
    /// Writes a `uuid` (on `string`): its 36-character lower-case text, as Java's
    /// `UUID.toString()` and fastavro write it.
    @inlinable
    public mutating func writeUUID(_ value: UUID) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 37) { text in
            text[0] = 72  // the length 36 as a zig-zag varint
            withUnsafeBytes(of: value.uuid) { raw in
                var out = 1
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        text[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    let b = raw[i]
                    text[out] = AvroLogicalCoding.hexDigit(b >> 4)
                    text[out + 1] = AvroLogicalCoding.hexDigit(b & 0x0F)
                    out += 2
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// Writes a `timestamp-millis`: milliseconds since the Unix epoch, rounded to the nearest.
    @inlinable
    public mutating func writeTimestampMillis(_ value: Date) {
        writeLong(AvroLogicalCoding.epochCount(value, perSecond: 1_000))
    }

    /// Writes a `timestamp-micros`: microseconds since the Unix epoch, rounded to the nearest.
    @inlinable
    public mutating func writeTimestampMicros(_ value: Date) {
        writeLong(AvroLogicalCoding.epochCount(value, perSecond: 1_000_000))
    }

    /// Writes a `decimal` on `bytes` with the schema's `scale` (the value is rescaled to it,
    /// rounding half to even if it has more digits).
    public mutating func writeDecimal(_ value: AvroDecimal, scale: Int) {
        writeBytes(AvroLogicalCoding.rescaled(value, to: scale).unscaledBytes)
    }

    /// Writes a `decimal` on a `fixed` of `fixedSize` bytes with the schema's `scale`. A value
    /// too large for the size is clamped to the largest magnitude the size holds (the generic
    /// `AvroBinaryEncoder` rejects it instead).
    public mutating func writeDecimal(_ value: AvroDecimal, scale: Int, fixedSize: Int) {
        let scaled = AvroLogicalCoding.rescaled(value, to: scale)
        if let padded = scaled.unscaledBytes(paddedTo: fixedSize) {
            writeFixed(padded)
        } else if fixedSize > 0 {
            let clamped: [UInt8] = scaled.isNegative
                ? [0x80] + [UInt8](repeating: 0, count: fixedSize - 1)
                : [0x7F] + [UInt8](repeating: 0xFF, count: fixedSize - 1)
            writeFixed(clamped)
        }
    }
}

extension AvroReader {
    /// Reads a `uuid` (on `string`): 36 characters of hexadecimal digits and dashes, either case.
    @inlinable
    public mutating func readUUID() throws(AvroDecodingError) -> UUID {
        let start = position
        let length = try readLength()
        let textStart = position
        let uuid: UUID? = length != 36 ? nil : storage.withUnsafeBufferPointer { buffer in
            AvroLogicalCoding.parseUUID(UnsafeBufferPointer(rebasing: buffer[textStart..<textStart + 36]))
        }
        guard let uuid else {
            let shown = String(decoding: storage[textStart..<textStart + min(length, 64)], as: UTF8.self)
            throw AvroDecodingError(.unresolvable("not a UUID: \"\(shown)\""), offset: start)
        }
        position += 36
        return uuid
    }

    /// Reads a `timestamp-millis` as a `Date`.
    @inlinable
    public mutating func readTimestampMillis() throws(AvroDecodingError) -> Date {
        Date(timeIntervalSince1970: Double(try readLong()) / 1_000)
    }

    /// Reads a `timestamp-micros` as a `Date`.
    @inlinable
    public mutating func readTimestampMicros() throws(AvroDecodingError) -> Date {
        Date(timeIntervalSince1970: Double(try readLong()) / 1_000_000)
    }

    /// Reads a `decimal` on `bytes` with the schema's `scale`.
    public mutating func readDecimal(scale: Int) throws(AvroDecodingError) -> AvroDecimal {
        let start = offset
        let bytes = try readBytes()
        guard !bytes.isEmpty else { throw AvroDecodingError(.unresolvable("empty decimal bytes"), offset: start) }
        return AvroDecimal(unscaledBytes: bytes, scale: scale)
    }

    /// Reads a `decimal` on a `fixed` of `fixedSize` bytes with the schema's `scale`.
    public mutating func readDecimal(scale: Int, fixedSize: Int) throws(AvroDecodingError) -> AvroDecimal {
        let start = offset
        let bytes = try readFixed(size: fixedSize)
        guard !bytes.isEmpty else { throw AvroDecodingError(.unresolvable("empty decimal fixed"), offset: start) }
        return AvroDecimal(unscaledBytes: bytes, scale: scale)
    }
}

/// Conversions behind the logical-type helpers.
public enum AvroLogicalCoding {
    /// The lower-case hexadecimal digit of `nibble` (0–15).
    @inlinable
    public static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble + 48 : nibble + 87
    }

    /// The value of hexadecimal digit `c` (either case), or 0xF0 (a bit outside 0...15) when
    /// `c` is not one; branch-light so UUID parsing stays fast.
    @inlinable @inline(__always)
    public static func hexNibble(_ c: UInt8) -> UInt64 {
        let d = c &- 48
        if d < 10 { return UInt64(d) }
        let l = (c | 0x20) &- 97
        return l < 6 ? UInt64(l &+ 10) : 0xF0
    }

    /// Parses `8-4-4-4-12` hexadecimal UUID text (36 bytes), or nil.
    @inlinable
    public static func parseUUID(_ text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36, text[8] == 0x2D, text[13] == 0x2D, text[18] == 0x2D, text[23] == 0x2D else { return nil }
        // Two 64-bit halves, 16 hex digits each; `bad` collects any non-digit.
        var high: UInt64 = 0, low: UInt64 = 0, bad: UInt64 = 0
        for i in 0..<8 { let d = hexNibble(text[i]); high = high << 4 | d; bad |= d }
        for i in 9..<13 { let d = hexNibble(text[i]); high = high << 4 | d; bad |= d }
        for i in 14..<18 { let d = hexNibble(text[i]); high = high << 4 | d; bad |= d }
        for i in 19..<23 { let d = hexNibble(text[i]); low = low << 4 | d; bad |= d }
        for i in 24..<36 { let d = hexNibble(text[i]); low = low << 4 | d; bad |= d }
        guard bad & 0xF0 == 0 else { return nil }
        let h = high.bigEndian, l = low.bigEndian
        return withUnsafeBytes(of: (h, l)) { raw in
            UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                        raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
        }
    }

    /// Whole `perSecond` units since the Unix epoch, rounded to the nearest; dates beyond
    /// what an `Int64` holds are clamped.
    @inlinable
    public static func epochCount(_ date: Date, perSecond: Double) -> Int64 {
        let count = (date.timeIntervalSince1970 * perSecond).rounded()
        if count >= 9.2e18 { return .max }
        if count <= -9.2e18 { return .min }
        if count.isNaN { return 0 }
        return Int64(count)
    }

    /// `value` with exactly `scale` digits after the point: more digits are added as zeros,
    /// fewer are rounded half to even.
    public static func rescaled(_ value: AvroDecimal, to scale: Int) -> AvroDecimal {
        if value.scale == scale { return value }
        var text = value.description
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var integerDigits = text
        var fractionDigits = ""
        if let dot = text.firstIndex(of: ".") {
            integerDigits = String(text[..<dot])
            fractionDigits = String(text[text.index(after: dot)...])
        }
        var digits = Array((integerDigits + fractionDigits).utf8)
        let currentScale = fractionDigits.count
        if scale > currentScale {
            digits += [UInt8](repeating: UInt8(ascii: "0"), count: scale - currentScale)
        } else if scale < currentScale {
            let drop = currentScale - scale
            let kept = Array(digits.dropLast(drop))
            let dropped = digits.suffix(drop)
            let first = dropped.first ?? UInt8(ascii: "0")
            let restNonZero = dropped.dropFirst().contains { $0 != UInt8(ascii: "0") }
            let lastKeptOdd = ((kept.last ?? UInt8(ascii: "0")) - UInt8(ascii: "0")) % 2 == 1
            let roundUp = first > UInt8(ascii: "5") || (first == UInt8(ascii: "5") && (restNonZero || lastKeptOdd))
            digits = roundUp ? increment(kept) : kept
        }
        if digits.isEmpty { digits = [UInt8(ascii: "0")] }
        var result = String(decoding: digits, as: UTF8.self)
        if scale > 0 {
            while result.count <= scale { result = "0" + result }
            result.insert(".", at: result.index(result.endIndex, offsetBy: -scale))
        }
        return AvroDecimal((negative ? "-" : "") + result) ?? value
    }

    /// Adds one to a string of decimal digits.
    static func increment(_ digits: [UInt8]) -> [UInt8] {
        var out = digits
        var i = out.count - 1
        while i >= 0 {
            if out[i] == UInt8(ascii: "9") {
                out[i] = UInt8(ascii: "0")
                i -= 1
            } else {
                out[i] += 1
                return out
            }
        }
        return [UInt8(ascii: "1")] + out
    }
}
