import Foundation

extension Duration {
    /// This duration in seconds, as `Date` arithmetic takes it (`Date().addingTimeInterval(d.timeInterval)`).
    public var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
