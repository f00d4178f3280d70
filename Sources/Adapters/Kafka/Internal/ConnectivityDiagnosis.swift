/// What librdkafka's reported problems mean for a connectivity check, in words that say what
/// to fix: which broker, which category (TLS, authentication, unreachable) and the likely cause.
struct ConnectivityDiagnosis {
    /// The error to throw.
    var error: KafkaError
    /// TLS and authentication failures do not heal by retrying: the check ends at once.
    var isDefinitive: Bool

    /// The diagnosis of `diagnostics` (the most telling one wins: TLS, then authentication,
    /// then an unreachable broker); `nil` when nothing relevant was reported.
    init?(_ diagnostics: [RdDiagnostic], bootstrapServers: [String]) {
        let lines = diagnostics.map { (code: $0.code, text: Self.withoutThreadPrefix($0.text)) }
        let fallback = bootstrapServers.joined(separator: ",")
        if let line = lines.last(where: { Self.isTLS($0.code, $0.text) }) {
            let broker = Self.broker(in: line.text) ?? fallback
            error = KafkaError(
                code: .ssl, message: "TLS handshake failed against \(broker): \(Self.tlsHint(line.text)) [librdkafka: \(line.text)]",
                operation: "check connectivity")
            isDefinitive = true
        } else if let line = lines.last(where: { Self.isAuthentication($0.code, $0.text) }) {
            let broker = Self.broker(in: line.text) ?? fallback
            error = KafkaError(
                code: .authentication,
                message: "SASL authentication failed against \(broker): \(Self.authenticationHint(line.text)) [librdkafka: \(line.text)]",
                operation: "check connectivity")
            isDefinitive = true
        } else if let line = lines.last(where: { Self.isUnreachable($0.code, $0.text) }) {
            let broker = Self.broker(in: line.text) ?? fallback
            let resolve = line.text.contains("resolve")
            error = KafkaError(
                code: resolve ? .resolve : .transport,
                message: "cannot reach broker \(broker): \(Self.unreachableHint(line.text)) [librdkafka: \(line.text)]",
                operation: "check connectivity", isRetriable: true)
            isDefinitive = false
        } else {
            return nil
        }
    }

    private static func isTLS(_ code: Int32?, _ text: String) -> Bool {
        code == KafkaError.Code.ssl.rawValue || text.contains("SSL handshake") || text.contains("state SSL_HANDSHAKE")
            || text.contains("certificate verify failed") || text.contains("connecting to a SSL listener")
    }

    private static func isAuthentication(_ code: Int32?, _ text: String) -> Bool {
        code == KafkaError.Code.authentication.rawValue || text.contains("SASL") || text.contains("uthentication")
    }

    private static func isUnreachable(_ code: Int32?, _ text: String) -> Bool {
        code == KafkaError.Code.transport.rawValue || code == KafkaError.Code.resolve.rawValue
            || text.contains("Connect to ") || text.contains("resolve") || text.contains("Connection setup timed out")
            || text.contains("Disconnected")
    }

    private static func tlsHint(_ text: String) -> String {
        if text.contains("connecting to a SSL listener") {
            return "the listener expects TLS: set KAFKA_SECURITY_PROTOCOL to ssl or sasl_ssl"
        }
        if text.contains("certificate verify failed") || text.contains("certificate") {
            return "the broker's certificate is not trusted or does not match its host name: give the CA that signed it "
                + "in KAFKA_SSL_CA_LOCATION and connect by a name in the certificate (or set KAFKA_SSL_ENDPOINT_IDENTIFICATION=none)"
        }
        if text.contains("state SSL_HANDSHAKE") || text.contains("PLAINTEXT") || text.contains("wrong version number")
            || text.contains("Disconnected") || text.contains("packet length") {
            return "the listener may be plaintext: it did not answer the TLS handshake "
                + "(use KAFKA_SECURITY_PROTOCOL=plaintext or sasl_plaintext for it, or the broker's TLS port)"
        }
        return "check the TLS settings (KAFKA_SSL_*) and that the listener speaks TLS"
    }

    private static func authenticationHint(_ text: String) -> String {
        if text.contains("Unsupported SASL mechanism") || text.contains("not supported by broker") {
            return "the listener does not accept this SASL mechanism: it may not have SASL enabled "
                + "(then use KAFKA_SECURITY_PROTOCOL=plaintext or ssl) or it enables another mechanism (KAFKA_SASL_MECHANISM)"
        }
        if text.contains("unknown-user") || text.contains("invalid") || text.contains("Invalid") || text.contains("failed") {
            return "the broker rejected the credentials: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM"
        }
        return "check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, and that the listener uses SASL"
    }

    private static func unreachableHint(_ text: String) -> String {
        if text.contains("Connection refused") { return "connection refused: is the broker running on this address?" }
        if text.contains("resolve") { return "its host name does not resolve: check KAFKA_BOOTSTRAP_SERVERS" }
        if text.contains("timed out") { return "the connection timed out: a firewall, a wrong address or an overloaded broker" }
        return "the connection failed: check KAFKA_BOOTSTRAP_SERVERS and KAFKA_SECURITY_PROTOCOL"
    }

    /// `"[thrd:…]: rest"` → `"rest"` (librdkafka's log lines start with the thread's name).
    static func withoutThreadPrefix(_ text: String) -> String {
        guard text.hasPrefix("[thrd:"), let end = text.firstRange(of: "]: ") else { return text }
        return String(text[end.upperBound...])
    }

    /// The `host:port` a librdkafka line is about: `"ssl://127.0.0.1:9092/bootstrap: …"` → `"127.0.0.1:9092"`.
    static func broker(in text: String) -> String? {
        guard let colon = text.firstRange(of: ": ") else { return nil }
        var name = Substring(text[..<colon.lowerBound])
        if let scheme = name.firstRange(of: "://") { name = name[scheme.upperBound...] }
        if let slash = name.firstIndex(of: "/") { name = name[..<slash] }
        guard name.contains(":"), !name.contains(" ") else { return nil }
        return String(name)
    }
}
