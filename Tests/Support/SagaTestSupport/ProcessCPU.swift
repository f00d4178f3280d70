import Foundation

/// CPU time of processes, for the benchmarks' per-operation CPU figures.
public enum ProcessCPU {
    /// CPU seconds (user + system) a process has used (`nil` = this one), from `/proc`; `nil`
    /// where `/proc` is not there (not Linux) or the process is gone.
    public static func seconds(_ pid: Int32?) -> Double? {
        let path = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
