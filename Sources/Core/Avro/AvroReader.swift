/// A bounds-checked cursor over Avro binary data.
///
/// Every read checks the remaining input first and throws ``AvroDecodingError`` instead of
/// reading past the end; lengths and counts are checked against what the input can still
/// hold before anything is allocated, so a claimed length of 2^62 costs nothing.
public struct AvroReader: Sendable {
    @usableFromInline let storage: [UInt8]
    /// Index of the next byte to read.
    @usableFromInline var position: Int
    @usableFromInline let end: Int
    /// Collection items still allowed (see ``AvroDecodingLimits/extraZeroSizeItems``).
    @usableFromInline var itemBudget: Int
    /// Current nesting depth (see ``enterNested()``).
    @usableFromInline var depth: Int
    /// The limits in force.
    public let limits: AvroDecodingLimits

    /// Creates a reader over `bytes[offset...]`.
    @inlinable
    public init(_ bytes: [UInt8], offset: Int = 0, limits: AvroDecodingLimits = .default) {
        storage = bytes
        position = min(max(offset, 0), bytes.count)
        end = bytes.count
        let (budget, overflow) = bytes.count.addingReportingOverflow(max(0, limits.extraZeroSizeItems))
        itemBudget = overflow ? .max : budget
        depth = 0
        self.limits = limits
    }

    /// Offset of the next byte to read, from the start of the whole buffer.
    @inlinable
    public var offset: Int { position }

    /// Bytes left to read.
    @inlinable
    public var remaining: Int { end - position }

    /// True when every byte has been read.
    @inlinable
    public var isAtEnd: Bool { position >= end }

    /// Throws ``AvroDecodingError/Kind/trailingBytes(count:)`` unless every byte was read.
    @inlinable
    public func expectEnd() throws(AvroDecodingError) {
        if position < end { throw AvroDecodingError(.trailingBytes(count: end - position), offset: position) }
    }

    @inlinable
    func truncated(_ needed: Int) -> AvroDecodingError {
        AvroDecodingError(.truncated(needed: needed), offset: position)
    }

    // MARK: Primitives

    /// Reads a boolean byte (only 0 and 1 are valid).
    @inlinable
    public mutating func readBoolean() throws(AvroDecodingError) -> Bool {
        guard position < end else { throw truncated(1) }
        let b = storage[position]
        guard b <= 1 else { throw AvroDecodingError(.invalidBoolean(b), offset: position) }
        position += 1
        return b == 1
    }

    /// Reads a zig-zag varint `int` (at most 5 bytes).
    @inlinable @inline(__always)
    public mutating func readInt() throws(AvroDecodingError) -> Int32 {
        // Fast path: one-byte values (-64...63), the common case for counts, indexes, flags.
        if position < end {
            let b = storage[position]
            if b < 0x80 {
                position += 1
                return Int32(b >> 1) ^ -Int32(b & 1)
            }
        }
        return try readIntSlow()
    }

    @usableFromInline
    mutating func readIntSlow() throws(AvroDecodingError) -> Int32 {
        let start = position
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard position < end else { throw truncated(1) }
            let b = storage[position]
            position += 1
            if shift == 28 && b > 0x0F { throw AvroDecodingError(.malformedVarint, offset: start) }
            result |= UInt32(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        return Int32(bitPattern: result >> 1) ^ -Int32(bitPattern: result & 1)
    }

    /// Reads a zig-zag varint `long` (at most 10 bytes).
    @inlinable @inline(__always)
    public mutating func readLong() throws(AvroDecodingError) -> Int64 {
        if position < end {
            let b = storage[position]
            if b < 0x80 {
                position += 1
                return Int64(b >> 1) ^ -Int64(b & 1)
            }
        }
        return try readLongSlow()
    }

    @usableFromInline
    mutating func readLongSlow() throws(AvroDecodingError) -> Int64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw truncated(1) }
            let b = storage[position]
            position += 1
            if shift == 63 && b > 0x01 { throw AvroDecodingError(.malformedVarint, offset: start) }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1)
    }

    /// Reads a `float` (4 bytes, little-endian).
    @inlinable
    public mutating func readFloat() throws(AvroDecodingError) -> Float {
        guard end - position >= 4 else { throw truncated(4 - (end - position)) }
        var bits: UInt32 = 0
        for i in 0..<4 { bits |= UInt32(storage[position + i]) << (8 * UInt32(i)) }
        position += 4
        return Float(bitPattern: bits)
    }

    /// Reads a `double` (8 bytes, little-endian).
    @inlinable
    public mutating func readDouble() throws(AvroDecodingError) -> Double {
        guard end - position >= 8 else { throw truncated(8 - (end - position)) }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(storage[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// Reads a length prefix and checks it against the remaining input.
    @inlinable @inline(__always)
    mutating func readLength() throws(AvroDecodingError) -> Int {
        let start = position
        let length = try readLong()
        if length < 0 { throw AvroDecodingError(.negativeLength(length), offset: start) }
        guard length <= Int64(end - position) else {
            throw AvroDecodingError(.lengthExceedsInput(claimed: length, remaining: end - position), offset: start)
        }
        return Int(length)
    }

    /// Reads `bytes`: a length, then that many bytes.
    @inlinable
    public mutating func readBytes() throws(AvroDecodingError) -> [UInt8] {
        let length = try readLength()
        let value = Array(storage[position..<position + length])
        position += length
        return value
    }

    /// Reads a `string`: a length, then that many bytes of UTF-8 (validated).
    @inlinable
    public mutating func readString() throws(AvroDecodingError) -> String {
        let length = try readLength()
        let start = position
        let text = storage.withUnsafeBufferPointer { buffer in
            AvroReader.string(validatingUTF8: UnsafeBufferPointer(rebasing: buffer[start..<start + length]))
        }
        guard let text else { throw AvroDecodingError(.invalidUTF8, offset: start) }
        position += length
        return text
    }

    /// A string from UTF-8 bytes, or nil if they are not valid UTF-8 (overlong forms,
    /// surrogates and code points above U+10FFFF are invalid). Specialized and allocation-free
    /// apart from the string itself: `String(validating:as:)` is generic and several times slower.
    @inlinable @inline(__always)
    static func string(validatingUTF8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // ASCII fast path: a branch-free OR of all bytes, which the compiler vectorizes.
        var any: UInt8 = 0
        for byte in bytes { any |= byte }
        if any < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        var i = 0
        let count = bytes.count
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return nil
            }
            guard i + length <= count else { return nil }
            let second = bytes[i + 1]
            guard second >= lower, second <= upper else { return nil }
            for j in 2..<length where bytes[i + j] & 0xC0 != 0x80 { return nil }
            i += length
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a `fixed` value of `size` bytes.
    @inlinable
    public mutating func readFixed(size: Int) throws(AvroDecodingError) -> [UInt8] {
        guard size >= 0, end - position >= size else { throw truncated(size - (end - position)) }
        let value = Array(storage[position..<position + size])
        position += size
        return value
    }

    /// Reads a union branch index and checks it against `branchCount`.
    @inlinable
    public mutating func readUnionIndex(branchCount: Int) throws(AvroDecodingError) -> Int {
        let start = position
        let index = try readLong()
        guard index >= 0, index < Int64(branchCount) else {
            throw AvroDecodingError(.unionIndexOutOfRange(index: index, branchCount: branchCount), offset: start)
        }
        return Int(index)
    }

    /// Reads an enum ordinal and checks it against `symbolCount`.
    @inlinable
    public mutating func readEnumOrdinal(symbolCount: Int) throws(AvroDecodingError) -> Int {
        let start = position
        let ordinal = try readInt()
        guard ordinal >= 0, Int(ordinal) < symbolCount else {
            throw AvroDecodingError(.enumOrdinalOutOfRange(ordinal: Int64(ordinal), symbolCount: symbolCount), offset: start)
        }
        return Int(ordinal)
    }

    // MARK: Blocks (arrays and maps)

    /// Reads the item count of the next array/map block; 0 ends the collection. A negative
    /// count is followed by the block's byte size (read and checked here). Counts are charged
    /// against the item budget, so no input can make a decoder loop longer than its size allows.
    @inlinable
    public mutating func readBlockCount() throws(AvroDecodingError) -> Int {
        let start = position
        var count = try readLong()
        if count < 0 {
            guard count != .min else { throw AvroDecodingError(.malformedVarint, offset: start) }
            count = -count
            _ = try readLength()  // the block's size in bytes, checked against the input
        }
        guard count <= Int64(itemBudget) else {
            throw AvroDecodingError(.lengthExceedsInput(claimed: count, remaining: end - position), offset: start)
        }
        itemBudget -= Int(count)
        return Int(count)
    }

    /// Reads an array with `readItem` for each item.
    @inlinable
    public mutating func readArray<T>(_ readItem: (inout AvroReader) throws(AvroDecodingError) -> T) throws(AvroDecodingError) -> [T] {
        var items: [T] = []
        while true {
            let count = try readBlockCount()
            if count == 0 { return items }
            items.reserveCapacity(items.count + min(count, end - position))
            for _ in 0..<count {
                do {
                    items.append(try readItem(&self))
                } catch {
                    throw error.prefixed(with: "[\(items.count)]")
                }
            }
        }
    }

    /// Reads a map with `readValue` for each value (a later duplicate key replaces an earlier one).
    @inlinable
    public mutating func readMap<T>(_ readValue: (inout AvroReader) throws(AvroDecodingError) -> T) throws(AvroDecodingError) -> [String: T] {
        var map: [String: T] = [:]
        while true {
            let count = try readBlockCount()
            if count == 0 { return map }
            map.reserveCapacity(map.count + min(count, end - position))
            for _ in 0..<count {
                let key = try readString()
                do {
                    map[key] = try readValue(&self)
                } catch {
                    throw error.prefixed(with: "[\"\(key)\"]")
                }
            }
        }
    }

    /// Reads an optional written as the union `["null", T]`.
    @inlinable
    public mutating func readOptional<T>(_ readValue: (inout AvroReader) throws(AvroDecodingError) -> T) throws(AvroDecodingError) -> T? {
        try readUnionIndex(branchCount: 2) == 0 ? nil : try readValue(&self)
    }

    // MARK: Nesting and skipping

    /// Counts one level of nesting; call before decoding a record that may recur, and
    /// ``leaveNested()`` after. Throws when ``AvroDecodingLimits/maximumDepth`` is exceeded.
    @inlinable
    public mutating func enterNested() throws(AvroDecodingError) {
        depth += 1
        if depth > limits.maximumDepth {
            throw AvroDecodingError(.nestingTooDeep(limit: limits.maximumDepth), offset: position)
        }
    }

    /// Leaves a level entered with ``enterNested()``.
    @inlinable
    public mutating func leaveNested() {
        depth -= 1
    }

    /// Skips `count` bytes.
    @inlinable
    public mutating func skip(_ count: Int) throws(AvroDecodingError) {
        guard count >= 0, end - position >= count else { throw truncated(count - (end - position)) }
        position += count
    }

    /// Skips a length-prefixed `bytes` or `string`.
    @inlinable
    public mutating func skipBytes() throws(AvroDecodingError) {
        position += try readLength()
    }

    /// Reads the block count of the next array/map block for skipping: a negative count's
    /// byte size is returned so the whole block can be jumped over.
    @inlinable
    mutating func readBlockHeaderForSkip() throws(AvroDecodingError) -> (count: Int, byteSize: Int?) {
        let start = position
        let count = try readLong()
        if count < 0 {
            guard count != .min else { throw AvroDecodingError(.malformedVarint, offset: start) }
            let size = try readLength()
            return (Int(-count), size)
        }
        guard count <= Int64(itemBudget) else {
            throw AvroDecodingError(.lengthExceedsInput(claimed: count, remaining: end - position), offset: start)
        }
        itemBudget -= Int(count)
        return (Int(count), nil)
    }
}

extension AvroReader {
    /// Runs `body` over all of `bytes` and checks nothing is left over.
    @inlinable
    static func decodeWhole<T>(_ bytes: [UInt8], limits: AvroDecodingLimits, _ body: (inout AvroReader) throws(AvroDecodingError) -> T) throws(AvroDecodingError) -> T {
        var reader = AvroReader(bytes, limits: limits)
        let value = try body(&reader)
        try reader.expectEnd()
        return value
    }

    /// Reads a value of a primitive schema (`null` … `string`) as a generic value.
    mutating func readPrimitive(of schema: AvroSchema) throws(AvroDecodingError) -> AvroValue {
        switch schema {
        case .null: return .null
        case .boolean: return .boolean(try readBoolean())
        case .int: return .int(try readInt())
        case .long: return .long(try readLong())
        case .float: return .float(try readFloat())
        case .double: return .double(try readDouble())
        case .bytes: return .bytes(try readBytes())
        case .string: return .string(try readString())
        default: throw AvroDecodingError(.unresolvable("\(schema.typeName) is not a primitive type"), offset: position)
        }
    }
}

