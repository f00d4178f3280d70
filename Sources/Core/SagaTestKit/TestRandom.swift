/// The random numbers a ``SagaScenario`` gives the state machine (for retry jitter): fixed, or a
/// seeded sequence, so every run of a test computes the same backoff delays.
///
/// ```swift
/// var scenario = try SagaScenario(definition, data: data, random: .seeded(42))
/// ```
public struct TestRandom: Sendable, Hashable {
    private enum Source: Sendable, Hashable {
        case fixed(Double)
        case seeded(UInt64)
    }

    private var source: Source

    /// Always `value` (clamped to `0..<1`): jitter then adds the same fraction of every delay.
    public static func fixed(_ value: Double) -> TestRandom {
        TestRandom(source: .fixed(min(max(value, 0), 0.999_999_999)))
    }

    /// A reproducible sequence in `0..<1` from `seed` (SplitMix64).
    public static func seeded(_ seed: UInt64) -> TestRandom { TestRandom(source: .seeded(seed)) }

    /// The next number in `0..<1`.
    public mutating func next() -> Double {
        switch source {
        case .fixed(let value):
            return value
        case .seeded(let state):
            let advanced = state &+ 0x9E37_79B9_7F4A_7C15
            source = .seeded(advanced)
            var z = advanced
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(UInt64(1) << 53)
        }
    }
}
