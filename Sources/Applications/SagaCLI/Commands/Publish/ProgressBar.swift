import Foundation

/// A one-line progress bar on standard error, drawn only when standard error is a terminal
/// and the work is large enough to be worth it.
struct ProgressBar {
    let total: Int
    let enabled: Bool
    private var lastDrawn = -1

    /// A bar for `total` items; shown only if stderr is a TTY and `total >= threshold`.
    init(total: Int, label: String, threshold: Int = 200) {
        self.total = total
        self.enabled = total >= threshold && isatty(STDERR_FILENO) == 1
        self.label = label
    }

    let label: String

    /// Redraws the bar at `done` items (at most once per percent).
    mutating func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let percent = done * 100 / total
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        StandardStreams.write(Array("\r\(label) [\(bar)] \(done)/\(total) \(percent)%".utf8), to: .standardError)
    }

    /// Ends the bar's line.
    func finish() {
        guard enabled else { return }
        StandardStreams.write(Array("\n".utf8), to: .standardError)
    }
}
