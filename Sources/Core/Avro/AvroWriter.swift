/// An append-only buffer that writes Avro's binary encoding.
///
/// Generated code and the generic encoder write values field by field:
/// ```swift
/// var writer = AvroWriter()
/// writer.writeString(order.id)
/// writer.writeLong(order.amountMinor)
/// let bytes = writer.bytes
/// ```
/// Nothing here can fail: every Swift value of the right type has an encoding. (Decimals,
/// which can be too large for their schema, are written by the throwing
/// ``writeDecimal(_:precision:scale:)`` helpers, and the collection writers have throwing
/// variants for elements that can fail.)
public struct AvroWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// Creates an empty writer with room for `capacity` bytes before it grows.
    @inlinable
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Number of bytes written so far.
    @inlinable
    public var count: Int { bytes.count }

    /// Writes nothing: `null` has an empty encoding. Present for symmetry in generated code.
    @inlinable
    public mutating func writeNull() {}

    /// Writes a boolean as one byte, 0 or 1.
    @inlinable
    public mutating func writeBoolean(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// Writes an `int` as a zig-zag varint (1–5 bytes). Avro encodes `int` and `long` alike,
    /// and zig-zag of a widened `Int32` gives the same bytes, so this is ``writeLong(_:)``.
    @inlinable @inline(__always)
    public mutating func writeInt(_ value: Int32) {
        writeLong(Int64(value))
    }

    /// Writes a `long` as a zig-zag varint (1–10 bytes).
    @inlinable @inline(__always)
    public mutating func writeLong(_ value: Int64) {
        var n = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        if n < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: n))
            return
        }
        while n >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: n))
    }

    /// Writes a `float` as 4 bytes, IEEE 754 little-endian.
    @inlinable
    public mutating func writeFloat(_ value: Float) {
        let bits = value.bitPattern
        bytes.append(UInt8(truncatingIfNeeded: bits))
        bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
        bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
        bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
    }

    /// Writes a `double` as 8 bytes, IEEE 754 little-endian.
    @inlinable
    public mutating func writeDouble(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes `bytes`: a `long` length, then the bytes.
    @inlinable
    public mutating func writeBytes(_ value: some Collection<UInt8>) {
        writeLong(Int64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a `string`: a `long` length of its UTF-8, then the UTF-8 bytes.
    @inlinable
    public mutating func writeString(_ value: String) {
        var text = value
        text.withUTF8 { utf8 in
            writeLong(Int64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes a `fixed` value: the bytes alone. The caller guarantees the schema's size.
    @inlinable
    public mutating func writeFixed(_ value: some Collection<UInt8>) {
        bytes.append(contentsOf: value)
    }

    /// Writes the branch index of a union value (a `long`); the branch's value follows.
    @inlinable
    public mutating func writeUnionIndex(_ index: Int) {
        writeLong(Int64(index))
    }

    /// Writes an enum value's ordinal (an `int`).
    @inlinable
    public mutating func writeEnumOrdinal(_ ordinal: Int) {
        writeInt(Int32(truncatingIfNeeded: ordinal))
    }

    /// Starts a block of `count` array or map items (count > 0); the items follow.
    @inlinable
    public mutating func writeBlockCount(_ count: Int) {
        writeLong(Int64(count))
    }

    /// Ends an array or map (a block of zero items).
    @inlinable
    public mutating func writeEndOfBlocks() {
        bytes.append(0)
    }

    /// Writes an array as one block followed by the end marker.
    @inlinable
    public mutating func writeArray<C: Collection>(_ items: C, _ writeItem: (inout AvroWriter, C.Element) -> Void) {
        if !items.isEmpty {
            writeLong(Int64(items.count))
            for item in items { writeItem(&self, item) }
        }
        bytes.append(0)
    }

    /// Writes an array whose items can fail to encode; an item's error gets its index
    /// prepended to its path (`[3]`), as the generic encoder reports it.
    @inlinable
    public mutating func writeArray<C: Collection, E: AvroFieldPathError>(
        _ items: C, _ writeItem: (inout AvroWriter, C.Element) throws(E) -> Void
    ) throws(E) {
        if !items.isEmpty {
            writeLong(Int64(items.count))
            for (index, item) in items.enumerated() {
                do { try writeItem(&self, item) } catch { throw error.prefixed(with: "[\(index)]") }
            }
        }
        bytes.append(0)
    }

    /// Writes a map whose values can fail to encode (keys in sorted order); a value's error
    /// gets its key prepended to its path (`["key"]`), as the generic encoder reports it.
    @inlinable
    public mutating func writeMap<V, E: AvroFieldPathError>(
        _ map: [String: V], _ writeValue: (inout AvroWriter, V) throws(E) -> Void
    ) throws(E) {
        if !map.isEmpty {
            writeLong(Int64(map.count))
            for key in map.keys.sorted() {
                writeString(key)
                guard let value = map[key] else { continue }
                do { try writeValue(&self, value) } catch { throw error.prefixed(with: "[\"\(key)\"]") }
            }
        }
        bytes.append(0)
    }

    /// Writes a map as one block followed by the end marker. Keys are written in sorted
    /// order so equal maps always encode to equal bytes.
    @inlinable
    public mutating func writeMap<V>(_ map: [String: V], _ writeValue: (inout AvroWriter, V) -> Void) {
        if !map.isEmpty {
            writeLong(Int64(map.count))
            for key in map.keys.sorted() {
                writeString(key)
                // The key comes from the map itself, so the lookup cannot miss.
                if let value = map[key] { writeValue(&self, value) }
            }
        }
        bytes.append(0)
    }

    /// Writes an optional as the union `["null", T]`: index 0 for nil, else index 1 and the value.
    @inlinable
    public mutating func writeOptional<T, E: Error>(_ value: T?, _ writeValue: (inout AvroWriter, T) throws(E) -> Void) throws(E) {
        if let value {
            bytes.append(2)  // zig-zag of 1
            try writeValue(&self, value)
        } else {
            bytes.append(0)
        }
    }

    /// Appends already-encoded bytes unchanged.
    @inlinable
    public mutating func writeRaw(_ raw: some Collection<UInt8>) {
        bytes.append(contentsOf: raw)
    }
}
