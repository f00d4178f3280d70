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

    /// Writes a `decimal` on `bytes` with the schema's `precision` and `scale`. A value with
    /// fewer digits after the point is scaled up exactly; one that would need rounding or has
    /// too many digits is rejected, never changed.
    @inlinable
    public mutating func writeDecimal(_ value: AvroDecimal, precision: Int, scale: Int) throws(AvroEncodingError) {
        writeBytes(try AvroLogicalCoding.decimalEncoding(value, precision: precision, scale: scale, fixedSize: nil))
    }

    /// Writes a `decimal` on a `fixed` of `fixedSize` bytes with the schema's `precision` and
    /// `scale`. A value that does not fit the size, the precision or the scale exactly is
    /// rejected, never clamped or rounded.
    @inlinable
    public mutating func writeDecimal(_ value: AvroDecimal, precision: Int, scale: Int, fixedSize: Int) throws(AvroEncodingError) {
        writeFixed(try AvroLogicalCoding.decimalEncoding(value, precision: precision, scale: scale, fixedSize: fixedSize))
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

    /// Reads a `decimal` on `bytes` with the schema's `precision` and `scale`; a value with
    /// more digits than the precision is rejected, as the generic decoder does.
    public mutating func readDecimal(precision: Int, scale: Int) throws(AvroDecodingError) -> AvroDecimal {
        let start = offset
        let bytes = try readBytes()
        guard !bytes.isEmpty else { throw AvroDecodingError(.unresolvable("empty decimal bytes"), offset: start) }
        return try AvroLogicalCoding.checkedDecimal(bytes, precision: precision, scale: scale, offset: start)
    }

    /// Reads a `decimal` on a `fixed` of `fixedSize` bytes with the schema's `precision` and
    /// `scale`; a value with more digits than the precision is rejected.
    public mutating func readDecimal(precision: Int, scale: Int, fixedSize: Int) throws(AvroDecodingError) -> AvroDecimal {
        let start = offset
        let bytes = try readFixed(size: fixedSize)
        guard !bytes.isEmpty else { throw AvroDecodingError(.unresolvable("empty decimal fixed"), offset: start) }
        return try AvroLogicalCoding.checkedDecimal(bytes, precision: precision, scale: scale, offset: start)
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

    /// The bytes of `value` as a `decimal` of the schema's `precision` and `scale`: the
    /// unscaled two's-complement integer, minimal for `bytes` (`fixedSize` nil) or
    /// sign-extended to `fixedSize` bytes for `fixed`. Both encoders (generic and generated)
    /// go through here, so they accept and reject the same values.
    ///
    /// Nothing is ever rounded or clamped: an amount must not silently become another one.
    /// A value with fewer digits after the point than `scale` gains zeros; one with more is
    /// accepted only when the extra digits are zeros (`1.50` at scale 1 is `1.5`), otherwise
    /// it is rejected, as Java's Avro does by default. Errors name the value and the limit it
    /// breaks; the encoders add the field path.
    @inlinable
    public static func decimalEncoding(_ value: AvroDecimal, precision: Int, scale: Int,
                                       fixedSize: Int?) throws(AvroEncodingError) -> [UInt8] {
        // The common case: the value already has the schema's scale and fits.
        if value.scale == scale, value.fits(precision: precision) {
            guard let fixedSize else { return value.unscaledBytes }
            if let padded = value.unscaledBytes(paddedTo: fixedSize) { return padded }
        }
        return try checkedDecimalEncoding(value, precision: precision, scale: scale, fixedSize: fixedSize)
    }

    /// ``decimalEncoding(_:precision:scale:fixedSize:)`` after a rescale, or its error.
    @usableFromInline
    static func checkedDecimalEncoding(_ value: AvroDecimal, precision: Int, scale: Int,
                                       fixedSize: Int?) throws(AvroEncodingError) -> [UInt8] {
        guard let scaled = value.rescaledExactly(to: scale) else {
            throw AvroEncodingError("decimal \(value) has \(value.scale) digits after the point but the schema's scale is \(scale); "
                + "rounding it would change the amount, so round it yourself first")
        }
        guard scaled.fits(precision: precision) else {
            throw AvroEncodingError("decimal \(value) has \(scaled.digitCount) digits at scale \(scale), more than the schema's precision of \(precision)")
        }
        guard let fixedSize else { return scaled.unscaledBytes }
        guard let padded = scaled.unscaledBytes(paddedTo: fixedSize) else {
            let largest = AvroDecimal(unscaledBytes: [0x7F] + [UInt8](repeating: 0xFF, count: max(fixedSize - 1, 0)), scale: scale)
            let smallest = AvroDecimal(unscaledBytes: [0x80] + [UInt8](repeating: 0, count: max(fixedSize - 1, 0)), scale: scale)
            throw AvroEncodingError("decimal \(value) at scale \(scale) needs \(scaled.unscaledBytes.count) bytes but the fixed holds \(fixedSize) "
                + "(\(smallest) to \(largest))")
        }
        return padded
    }

    /// A decoded decimal, checked against the schema's precision.
    @usableFromInline
    static func checkedDecimal(_ bytes: [UInt8], precision: Int, scale: Int, offset: Int) throws(AvroDecodingError) -> AvroDecimal {
        let decimal = AvroDecimal(unscaledBytes: bytes, scale: scale)
        guard decimal.fits(precision: precision) else {
            throw AvroDecodingError(.unresolvable("not a valid decimal value: \(decimal) has more than the schema's \(precision) digits of precision"), offset: offset)
        }
        return decimal
    }
}
