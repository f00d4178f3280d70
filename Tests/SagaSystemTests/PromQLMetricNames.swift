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

    /// The label names `expression` matches on or groups by: those in `{…}` matchers and in
    /// `by`/`without`/`on`/`ignoring`/`group_left`/`group_right` clauses.
    static func labels(in expression: String) -> Set<String> {
        var text = expression.replacingOccurrences(of: #""(?:[^"\\]|\\.)*""#, with: "\"\"", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\[[^\]]*\]"#, with: " ", options: .regularExpression)
        var labels = Set<String>()
        for match in text.matches(of: #/\{([^}]*)\}/#) {
            for part in match.output.1.split(separator: ",") {
                let name = part.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == " " }.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { labels.insert(name) }
            }
        }
        for match in text.matches(of: #/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/#) {
            for part in match.output.1.split(separator: ",") {
                let name = part.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { labels.insert(name) }
            }
        }
        return labels
    }

    /// The sample names of a Prometheus text exposition (`name{labels} value` and `name value`
    /// lines), each with the label names its samples carry.
    static func exposed(in exposition: String) -> [String: Set<String>] {
        var names: [String: Set<String>] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            guard !name.isEmpty else { continue }
            var labels = names[name] ?? []
            if let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}"), open < close {
                let body = String(line[line.index(after: open)..<close])
                for match in body.matches(of: #/([A-Za-z_][A-Za-z0-9_]*)="/#) { labels.insert(String(match.output.1)) }
            }
            names[name] = labels
        }
        return names
    }
}
