/// Limits that keep hostile input from costing more than its size.
public struct AvroDecodingLimits: Sendable, Hashable {
    /// Deepest nesting of records/arrays/maps/unions the generic decoders follow
    /// (recursive schemas could otherwise overflow the stack).
    public var maximumDepth: Int
    /// Array/map items allowed beyond one per input byte. Items of most types take at least
    /// one byte; only zero-size items (`null`, empty records, `fixed` of size 0) need this.
    public var extraZeroSizeItems: Int

    /// Creates limits.
    public init(maximumDepth: Int = 200, extraZeroSizeItems: Int = 65_536) {
        self.maximumDepth = maximumDepth
        self.extraZeroSizeItems = extraZeroSizeItems
    }

    /// The defaults: depth 200, 65 536 extra zero-size items.
    public static let `default` = AvroDecodingLimits()
}
