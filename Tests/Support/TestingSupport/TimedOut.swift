/// A condition a test waited for did not hold in time (a hang guard, not a speed check).
public struct TimedOut: Error, CustomStringConvertible {
    /// What was waited for.
    public var what: String
    /// How long the test waited, if it says.
    public var seconds: Double?

    /// Creates the error for `what`, waited for `seconds`.
    public init(what: String, seconds: Double? = nil) {
        self.what = what
        self.seconds = seconds
    }

    /// What was waited for, and how long.
    public var description: String {
        if let seconds { return "\(what) did not finish within \(seconds) s" }
        return "timed out waiting for \(what)"
    }
}
