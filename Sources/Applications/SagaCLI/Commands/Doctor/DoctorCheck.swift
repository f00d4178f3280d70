import Foundation

/// One line of `sagactl doctor`: what was checked, how it went, and what to do about it.
struct DoctorCheck: Sendable, Equatable {
    /// The outcome of a check.
    enum Status: String, Sendable {
        /// Fine.
        case ok = "OK"
        /// Works, but should be fixed.
        case warn = "WARN"
        /// Broken: doctor exits non-zero.
        case fail = "FAIL"
        /// Not run, because a check it depends on failed.
        case skip = "SKIP"
    }

    /// A short name, e.g. `broker` or `store orchestrator.sqlite`.
    var name: String
    var status: Status
    /// What was found (never a secret).
    var detail: String
    /// What to do, for WARN and FAIL.
    var fix: String?

    static func ok(_ name: String, _ detail: String) -> DoctorCheck { DoctorCheck(name: name, status: .ok, detail: detail) }
    static func warn(_ name: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .warn, detail: detail, fix: fix)
    }
    static func fail(_ name: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .fail, detail: detail, fix: fix)
    }
    static func skip(_ name: String, _ reason: String) -> DoctorCheck { DoctorCheck(name: name, status: .skip, detail: reason) }

    /// `OK   broker: 1 broker(s) …` and, when there is one, ` (fix: …)`.
    var line: String {
        let label = status.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0)
        return "\(label) \(name): \(detail)" + (fix.map { " (fix: \($0))" } ?? "")
    }

    /// The check as a JSON object.
    var json: [String: Any] {
        var object: [String: Any] = ["name": name, "status": status.rawValue, "detail": detail]
        if let fix { object["fix"] = fix }
        return object
    }
}

extension [DoctorCheck] {
    /// Whether any check failed.
    var failed: Bool { contains { $0.status == .fail } }

    /// `{"ok": …, "checks": [...]}` as one line of JSON.
    func jsonText() throws -> String {
        let object: [String: Any] = ["ok": !failed, "checks": map(\.json)]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
