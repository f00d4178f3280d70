/// Turns Avro names into Swift identifiers.
///
/// Avro names match `[A-Za-z_][A-Za-z0-9_]*`, so every Avro name is already a valid Swift
/// identifier except for Swift's keywords, which are escaped with backticks.
enum SwiftNames {
    /// Swift keywords (and contextual words that cannot name a property or case without
    /// escaping), from The Swift Programming Language's lexical structure.
    static let keywords: Set<String> = [
        "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate",
        "func", "import", "init", "inout", "internal", "let", "nonisolated", "open", "operator",
        "package", "private", "precedencegroup", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do",
        "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super",
        "throws", "true", "try", "Type", "Protocol",
    ]

    /// `name` usable as a property, parameter or case name (backticks around keywords).
    static func identifier(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    /// `name` as a Swift type name: the first letter upper-cased (`payload` → `Payload`).
    static func typeName(_ name: String) -> String {
        guard let first = name.first else { return name }
        let result = first.uppercased() + name.dropFirst()
        return keywords.contains(result) ? result + "_" : result
    }

    /// An Avro enum symbol as a Swift case name: `UPPER_SNAKE` and `snake_case` become
    /// lowerCamelCase (`BUSINESS_FAILURE` → `businessFailure`), `camelCase` stays, and a
    /// leading capital is lowered (`Red` → `red`).
    static func caseName(_ symbol: String) -> String {
        let parts = symbol.split(separator: "_", omittingEmptySubsequences: true)
        guard !parts.isEmpty else { return symbol }
        let isAllCaps = symbol.allSatisfy { !$0.isLetter || $0.isUppercase }
        var result = ""
        for (index, part) in parts.enumerated() {
            let word = isAllCaps ? part.lowercased() : String(part)
            if index == 0 {
                result += lowerFirst(word)
            } else {
                result += (word.first.map { String($0).uppercased() } ?? "") + word.dropFirst()
            }
        }
        // A symbol such as `_1` would lose its only letter-free word's meaning; keep it whole.
        if result.isEmpty || result.first?.isNumber == true { return identifier(symbol) }
        return identifier(result)
    }

    /// The first character lower-cased (`OrderPlaced` → `orderPlaced`), keeping a leading
    /// acronym readable (`URLRef` → `urlRef`).
    static func lowerFirst(_ word: String) -> String {
        let chars = Array(word)
        var upperRun = 0
        while upperRun < chars.count, chars[upperRun].isUppercase { upperRun += 1 }
        if upperRun == 0 { return word }
        if upperRun == 1 || upperRun == chars.count {
            return String(chars[..<upperRun]).lowercased() + String(chars[upperRun...])
        }
        // `URLRef`: lower all but the last capital, which starts the next word.
        return String(chars[..<(upperRun - 1)]).lowercased() + String(chars[(upperRun - 1)...])
    }

    /// A Swift string literal for `text` (escapes quotes, backslashes and control characters).
    static func stringLiteral(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Doc comment lines (`/// …`) for `doc`, indented by `indent`; none when `doc` is nil.
    static func docComment(_ doc: String?, indent: String) -> [String] {
        guard let doc, !doc.isEmpty else { return [] }
        return doc.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.isEmpty ? "\(indent)///" : "\(indent)/// \(line)"
        }
    }
}
