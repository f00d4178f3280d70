import Foundation

/// The metric names a PromQL expression reads: what is left once string literals, label
/// matchers (`{…}`), ranges and durations (`[…]`), grouping clauses (`by (…)`, `without (…)`,
/// `on (…)`, `ignoring (…)`, `group_left (…)`, `group_right (…)`), function calls, keywords and
/// numbers are taken out. Grafana's `$__variables` sit inside ranges and go with them.
///
/// A histogram is read through its series `<name>_bucket`, `_sum` and `_count`, which are what a
/// Prometheus exposition lists: the names are compared with the exposition's sample names as
/// they are, so a query of a histogram's bare name (which matches nothing) is caught too.
enum PromQLMetricNames {
    static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "atop",
        "inf", "nan",
    ]

    /// The metric names `expression` reads, in order of first appearance.
    static func names(in expression: String) -> [String] {
        var text = expression
        for pattern in [
            #""(?:[^"\\]|\\.)*""#, #"'(?:[^'\\]|\\.)*'"#,  // strings
            #"\{[^}]*\}"#, #"\[[^\]]*\]"#,  // label matchers, ranges
            #"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#,  // grouping labels
            #"(?<![A-Za-z0-9_:])[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?:ms|s|m|h|d|w|y)?"#,  // numbers, durations
        ] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var names: [String] = []
        for match in text.matches(of: #/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/#) {
            let token = String(match.output.0)
            if token.hasSuffix("(") { continue }  // a function or aggregation
            if keywords.contains(token.lowercased()) || names.contains(token) { continue }
            names.append(token)
        }
        return names
    }

    /// The sample names of a Prometheus text exposition (`name{labels} value` and `name value` lines).
    static func exposed(in exposition: String) -> Set<String> {
        var names = Set<String>()
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            if !name.isEmpty { names.insert(String(name)) }
        }
        return names
    }
}
