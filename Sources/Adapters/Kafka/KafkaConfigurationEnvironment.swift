extension KafkaConfiguration {
    /// Every environment variable ``fromEnvironment(_:clientID:)`` reads, in the order of the
    /// settings table in `docs/configuration.md`.
    public static let environmentVariableNames: [String] = [
        "KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_SECURITY_PROTOCOL",
        "KAFKA_SASL_MECHANISM",
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SSL_CA_LOCATION",
        "KAFKA_SSL_CERTIFICATE_LOCATION",
        "KAFKA_SSL_KEY_LOCATION",
        "KAFKA_SSL_KEY_PASSWORD",
        "KAFKA_SSL_ENDPOINT_IDENTIFICATION",
        "KAFKA_FETCH_WAIT_MAX_MS",
        "KAFKA_LINGER_MS",
    ]

    /// Reads the broker connection from `KAFKA_*` variables and validates it (see ``validate()``).
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `KAFKA_BOOTSTRAP_SERVERS` | required, comma-separated `host:port` list |
    /// | `KAFKA_SECURITY_PROTOCOL` | `plaintext` (default), `ssl`, `sasl_plaintext`, `sasl_ssl` |
    /// | `KAFKA_SASL_MECHANISM` | `PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512` (also `OAUTHBEARER`, `GSSAPI`, configured through extra properties) |
    /// | `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD` | SASL credentials |
    /// | `KAFKA_SSL_CA_LOCATION`, `KAFKA_SSL_CERTIFICATE_LOCATION`, `KAFKA_SSL_KEY_LOCATION`, `KAFKA_SSL_KEY_PASSWORD` | TLS files (PEM) |
    /// | `KAFKA_SSL_ENDPOINT_IDENTIFICATION` | `https` (default: verify the broker's host name) or `none` |
    /// | `KAFKA_FETCH_WAIT_MAX_MS` | consumers' `fetch.wait.max.ms`, 0 to 300000 (default: librdkafka's 500); see ``fetchWait`` |
    /// | `KAFKA_LINGER_MS` | producers' `linger.ms`, 0 to 900000 (default: librdkafka's 5); see ``linger`` |
    ///
    /// An empty value counts as unset (manifests often template empty strings).
    ///
    /// - Parameters:
    ///   - environment: the variables, usually `ProcessInfo.processInfo.environment`.
    ///   - clientID: `client.id` for the brokers' logs.
    /// - Throws: ``KafkaError`` with `operation` `"configure"` and `property` naming the variable
    ///   (or the librdkafka property) at fault, before any connection is attempted.
    public static func fromEnvironment(_ environment: [String: String], clientID: String?) throws(KafkaError) -> KafkaConfiguration {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmed, !text.isEmpty else { return nil }
            return text
        }
        guard let servers = value("KAFKA_BOOTSTRAP_SERVERS") else {
            throw KafkaError.configuration(
                property: "KAFKA_BOOTSTRAP_SERVERS",
                reason: "no broker: set KAFKA_BOOTSTRAP_SERVERS to a comma-separated host:port list")
        }
        let list = servers.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
        var configuration = KafkaConfiguration(bootstrapServers: list, clientID: clientID)

        if let text = value("KAFKA_SECURITY_PROTOCOL") {
            guard let parsed = SecurityProtocol(rawValue: text.lowercased()) else {
                throw KafkaError.configuration(
                    property: "KAFKA_SECURITY_PROTOCOL",
                    reason: "unknown security protocol \"\(text)\": expected plaintext, ssl, sasl_plaintext or sasl_ssl")
            }
            configuration.securityProtocol = parsed
        }

        let username = value("KAFKA_SASL_USERNAME"), password = value("KAFKA_SASL_PASSWORD")
        if let mechanism = value("KAFKA_SASL_MECHANISM") {
            configuration.sasl = SASL(mechanism: mechanism.uppercased(), username: username, password: password)
        } else if username != nil || password != nil {
            throw KafkaError.configuration(
                property: "KAFKA_SASL_MECHANISM",
                reason: "SASL credentials are set but no mechanism: set KAFKA_SASL_MECHANISM (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
        }

        let ca = value("KAFKA_SSL_CA_LOCATION"), certificate = value("KAFKA_SSL_CERTIFICATE_LOCATION")
        let key = value("KAFKA_SSL_KEY_LOCATION"), keyPassword = value("KAFKA_SSL_KEY_PASSWORD")
        let identification = value("KAFKA_SSL_ENDPOINT_IDENTIFICATION")
        var verifyHostname = true
        if let identification {
            switch identification.lowercased() {
            case "https": verifyHostname = true
            case "none": verifyHostname = false
            default:
                throw KafkaError.configuration(
                    property: "KAFKA_SSL_ENDPOINT_IDENTIFICATION",
                    reason: "unknown endpoint identification \"\(identification)\": expected https or none")
            }
        }
        if ca != nil || certificate != nil || key != nil || keyPassword != nil || identification != nil {
            configuration.tls = TLS(
                caLocation: ca, certificateLocation: certificate, keyLocation: key,
                keyPassword: keyPassword, verifyHostname: verifyHostname)
        }
        /// The duration in whole milliseconds within `range` that variable `name` holds, if set.
        func milliseconds(_ name: String, _ what: String, in range: ClosedRange<Int>) throws(KafkaError) -> Duration? {
            guard let text = value(name) else { return nil }
            guard let milliseconds = Int(text), range.contains(milliseconds) else {
                throw KafkaError.configuration(
                    property: name,
                    reason: "invalid \(what) \"\(text)\": expected whole milliseconds from \(range.lowerBound) to \(range.upperBound)")
            }
            return .milliseconds(milliseconds)
        }
        configuration.fetchWait = try milliseconds("KAFKA_FETCH_WAIT_MAX_MS", "fetch wait", in: 0...300_000)
        configuration.linger = try milliseconds("KAFKA_LINGER_MS", "linger", in: 0...900_000)
        try configuration.validate()
        return configuration
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    var trimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
