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
        let (a, b, c, d) = withUnsafeBytes(of: value.uuid) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian,
             raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian,
             raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian,
             raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
        }
        let (ta, tb, tc, td) = (AvroLogicalCoding.hexText(a), AvroLogicalCoding.hexText(b),
                                AvroLogicalCoding.hexText(c), AvroLogicalCoding.hexText(d))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw[0] = 72  // the length 36 as a zig-zag varint
            raw.storeBytes(of: ta.littleEndian, toByteOffset: 1, as: UInt64.self)
            raw[9] = 0x2D
            raw.storeBytes(of: UInt32(truncatingIfNeeded: tb).littleEndian, toByteOffset: 10, as: UInt32.self)
            raw[14] = 0x2D
            raw.storeBytes(of: UInt32(truncatingIfNeeded: tb >> 32).littleEndian, toByteOffset: 15, as: UInt32.self)
            raw[19] = 0x2D
            raw.storeBytes(of: UInt32(truncatingIfNeeded: tc).littleEndian, toByteOffset: 20, as: UInt32.self)
            raw[24] = 0x2D
            raw.storeBytes(of: UInt32(truncatingIfNeeded: tc >> 32).littleEndian, toByteOffset: 25, as: UInt32.self)
            raw.storeBytes(of: td.littleEndian, toByteOffset: 29, as: UInt64.self)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<37]))
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
    /// The eight lower-case hexadecimal digits of four bytes (`value`'s lowest byte first,
    /// high digit before low), as ASCII with the first digit in the lowest byte. SWAR: no
    /// loop, no branch.
    @inlinable @inline(__always)
    public static func hexText(_ value: UInt32) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        var x = UInt64(value)
        x = (x | x << 16) & 0x0000_FFFF_0000_FFFF
        x = (x | x << 8) & 0x00FF_00FF_00FF_00FF   // byte k of value now at byte 2k
        let nibbles = ((x >> 4) & 0x000F_000F_000F_000F) | ((x & 0x000F_000F_000F_000F) << 8)
        let letters = ((nibbles &+ ones &* 6) >> 4) & ones  // 1 where the nibble is 10...15
        return nibbles &+ ones &* 0x30 &+ letters &* 0x27
    }

    /// Eight ASCII hexadecimal digits (either case), the first in the lowest byte of `word`,
    /// as the four bytes they spell, in text order from the lowest byte up; nil unless all
    /// eight are hexadecimal digits. SWAR: all eight at once, without a branch per digit
    /// (UUID digits are random, so per-digit branches would mispredict).
    @inlinable @inline(__always)
    public static func hexBytes(_ word: UInt64) -> UInt32? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        guard word & high == 0 else { return nil }
        // Per byte, for ASCII x: high bit of x + (0x80 - k) is set iff x >= k.
        let digit = (word &+ ones &* (0x80 - 0x30)) & ~(word &+ ones &* (0x80 - 0x3A))
        let lower = word | (ones &* 0x20)
        let letter = (lower &+ ones &* (0x80 - 0x61)) & ~(lower &+ ones &* (0x80 - 0x67))
        guard (digit | letter) & high == high else { return nil }
        // '0'-'9' → 0-9, 'a'-'f' and 'A'-'F' → 10-15 (letters have bit 6 set).
        let nibbles = (word & (ones &* 0x0F)) &+ ((word >> 6) & ones) &* 9
        // Pair the nibbles into bytes (first digit high), then gather the four bytes.
        let pairs = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF
        let halves = (pairs | (pairs >> 8)) & 0x0000_FFFF_0000_FFFF
        return UInt32(truncatingIfNeeded: halves | (halves >> 16))
    }

    /// Parses `8-4-4-4-12` hexadecimal UUID text (36 bytes), or nil.
    @inlinable
    public static func parseUUID(_ text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36, let base = text.baseAddress,
              text[8] == 0x2D, text[13] == 0x2D, text[18] == 0x2D, text[23] == 0x2D else { return nil }
        let raw = UnsafeRawPointer(base)
        func load8(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        func load4(_ at: Int) -> UInt64 { UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        guard let a = hexBytes(load8(0)),
              let b = hexBytes(load4(9) | load4(14) << 32),
              let c = hexBytes(load4(19) | load4(24) << 32),
              let d = hexBytes(load8(28)) else { return nil }
        // Each value holds its bytes in text order from the lowest byte up: store little-endian.
        let bytes = (a.littleEndian, b.littleEndian, c.littleEndian, d.littleEndian)
        return withUnsafeBytes(of: bytes) { u in
            UUID(uuid: (u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
                        u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]))
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
