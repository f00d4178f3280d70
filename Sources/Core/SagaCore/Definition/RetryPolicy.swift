/// How often and how soon a failed or timed-out request is sent again.
///
/// The delay before attempt `n + 1` is `min(maxBackoff, initialBackoff × multiplier^(n-1))`,
/// of which the fraction ``jitter`` is randomised: with `jitter = 1` the delay is uniform in
/// `[0, base]` ("full jitter"), with `jitter = 0.5` in `[base/2, base]`, with `0` it is exact.
/// Jitter spreads retries of many sagas that failed together so they do not hit a recovering
/// participant at the same instant.
public struct RetryPolicy: Sendable, Hashable {
    /// The total number of attempts, the first one included (at least 1).
    public var maxAttempts: Int
    /// The delay after the first failed attempt, before jitter.
    public var initialBackoff: Duration
    /// The factor the delay grows by after each further failure (at least 1).
    public var multiplier: Double
    /// The upper bound of the delay, before jitter.
    public var maxBackoff: Duration
    /// The randomised fraction of the delay, in `0...1`.
    public var jitter: Double

    /// Creates a policy; out-of-range arguments are clamped to their valid ranges.
    public init(
        maxAttempts: Int,
        initialBackoff: Duration = .milliseconds(200),
        multiplier: Double = 2,
        maxBackoff: Duration = .seconds(30),
        jitter: Double = 0.5
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(.zero, initialBackoff)
        self.multiplier = max(1, multiplier)
        self.maxBackoff = max(self.initialBackoff, maxBackoff)
        self.jitter = min(1, max(0, jitter))
    }

    /// One attempt, never retried.
    public static let none = RetryPolicy(maxAttempts: 1, initialBackoff: .zero, jitter: 0)

    /// Exponential backoff with jitter.
    public static func exponential(
        maxAttempts: Int,
        initial: Duration = .milliseconds(200),
        multiplier: Double = 2,
        max: Duration = .seconds(30),
        jitter: Double = 0.5
    ) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, initialBackoff: initial, multiplier: multiplier, maxBackoff: max, jitter: jitter)
    }

    /// Whether another attempt is allowed after `attempt` attempts failed.
    public func allowsRetry(after attempt: Int) -> Bool { attempt < maxAttempts }

    /// The delay before the attempt that follows failed attempt `attempt` (1-based).
    ///
    /// - Parameter random: a number in `0..<1` (the caller's random source, so that the
    ///   state machine stays deterministic under test).
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let initial = initialBackoff.timeInterval
        let exponent = Double(max(0, attempt - 1))
        let base = min(maxBackoff.timeInterval, initial * pow(multiplier, exponent))
        let r = min(max(random, 0), 1)
        let seconds = base * (1 - jitter) + base * jitter * r
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}

/// `pow` without importing Foundation into every file that needs it.
@inline(__always)
private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    var factor = base
    // exponent is a non-negative integer here; square-and-multiply, capped to avoid overflow to inf.
    while remaining > 0 {
        if remaining & 1 == 1 { result *= factor }
        factor *= factor
        remaining >>= 1
        if result > 1e12 { return 1e12 }
    }
    return result
}
