#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension KafkaConfiguration {
    /// The SASL mechanisms this module knows how to configure from a user name and password.
    public static let credentialMechanisms: Set<String> = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

    /// Mechanisms passed through to librdkafka as they are: they need their own properties
    /// (`sasl.oauthbearer.*` for OAUTHBEARER, `sasl.kerberos.*` and a librdkafka built with
    /// Cyrus SASL for GSSAPI), which this module does not check.
    public static let passThroughMechanisms: Set<String> = ["OAUTHBEARER", "GSSAPI"]

    /// Checks the security settings (after ``properties`` overrides) before any connection is made.
    ///
    /// Fails on: an unknown `security.protocol`; an unknown SASL mechanism; a SASL mechanism
    /// with a protocol that is not `sasl_plaintext`/`sasl_ssl` (or the reverse); PLAIN or SCRAM
    /// without a user name or password; TLS files set with a protocol that does not use TLS;
    /// a CA, certificate or key file that does not exist or cannot be read; a key without a
    /// certificate (or the reverse); an endpoint identification other than `https`/`none`.
    /// Every client (producer, consumer, admin) runs this check when it is created.
    ///
    /// - Throws: ``KafkaError`` with `operation` `"configure"`, `property` naming the librdkafka
    ///   property at fault and a message that says what to change (never a secret's value).
    public func validate() throws(KafkaError) {
        var properties: [String: String] = [:]
        for (name, value) in librdkafkaProperties(for: .admin) { properties[name] = value }
        try Self.validateSecurity(properties)
    }

    /// The checks of ``validate()`` on a final librdkafka property map.
    static func validateSecurity(_ properties: [String: String]) throws(KafkaError) {
        func fail(_ property: String, _ reason: String) -> KafkaError {
            KafkaError.configuration(property: property, reason: reason)
        }
        let protocolText = properties["security.protocol"] ?? "plaintext"
        guard let securityProtocol = SecurityProtocol(rawValue: protocolText.lowercased()) else {
            throw fail("security.protocol",
                "unknown security protocol \"\(protocolText)\" (\(hint("security.protocol"))): expected plaintext, ssl, sasl_plaintext or sasl_ssl")
        }
        let usesSASL = securityProtocol == .saslPlaintext || securityProtocol == .saslSSL
        let usesTLS = securityProtocol == .ssl || securityProtocol == .saslSSL

        let mechanism = properties["sasl.mechanisms"] ?? properties["sasl.mechanism"]
        if let mechanism {
            let known = credentialMechanisms.union(passThroughMechanisms)
            guard known.contains(mechanism) else {
                throw fail("sasl.mechanisms",
                    "unknown SASL mechanism \"\(mechanism)\" (\(hint("sasl.mechanisms"))): expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (or OAUTHBEARER, GSSAPI with their own properties)")
            }
            guard usesSASL else {
                throw fail("security.protocol",
                    "SASL mechanism \(mechanism) is set but security.protocol is \(securityProtocol.rawValue), which does not use SASL: set it to sasl_ssl (or sasl_plaintext) (\(hint("security.protocol")))")
            }
            if credentialMechanisms.contains(mechanism) {
                if (properties["sasl.username"] ?? "").isEmpty {
                    throw fail("sasl.username", "SASL mechanism \(mechanism) needs a user name (\(hint("sasl.username")))")
                }
                if (properties["sasl.password"] ?? "").isEmpty {
                    throw fail("sasl.password", "SASL mechanism \(mechanism) needs a password (\(hint("sasl.password")))")
                }
            }
        } else if usesSASL {
            throw fail("sasl.mechanisms",
                "security.protocol \(securityProtocol.rawValue) needs a SASL mechanism (\(hint("sasl.mechanisms"))): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
        }

        let fileProperties = ["ssl.ca.location", "ssl.certificate.location", "ssl.key.location"]
        for name in fileProperties + ["ssl.key.password"] where properties[name] != nil && !usesTLS {
            throw fail(name,
                "\(name) is set but security.protocol is \(securityProtocol.rawValue), which does not use TLS: set it to ssl or sasl_ssl (\(hint("security.protocol")))")
        }
        for name in fileProperties {
            guard let path = properties[name] else { continue }
            if name == "ssl.ca.location" && path == "probe" { continue }  // librdkafka searches the system's CA paths
            if let problem = fileProblem(path) {
                throw fail(name, "the \(fileRole(name)) file \(path) \(problem) (\(hint(name)))")
            }
        }
        if properties["ssl.key.location"] != nil && properties["ssl.certificate.location"] == nil {
            throw fail("ssl.certificate.location",
                "a client key is set but no client certificate: mutual TLS needs both (\(hint("ssl.certificate.location")))")
        }
        if properties["ssl.certificate.location"] != nil && properties["ssl.key.location"] == nil {
            throw fail("ssl.key.location",
                "a client certificate is set but no key: mutual TLS needs both (\(hint("ssl.key.location")))")
        }
        if let identification = properties["ssl.endpoint.identification.algorithm"], identification != "https" && identification != "none" {
            throw fail("ssl.endpoint.identification.algorithm",
                "unknown endpoint identification \"\(identification)\": expected https or none (\(hint("ssl.endpoint.identification.algorithm")))")
        }
    }

    /// Where a property is set: its environment variable and its librdkafka name.
    private static func hint(_ property: String) -> String {
        let variables = [
            "security.protocol": "KAFKA_SECURITY_PROTOCOL", "sasl.mechanisms": "KAFKA_SASL_MECHANISM",
            "sasl.username": "KAFKA_SASL_USERNAME", "sasl.password": "KAFKA_SASL_PASSWORD",
            "ssl.ca.location": "KAFKA_SSL_CA_LOCATION", "ssl.certificate.location": "KAFKA_SSL_CERTIFICATE_LOCATION",
            "ssl.key.location": "KAFKA_SSL_KEY_LOCATION", "ssl.key.password": "KAFKA_SSL_KEY_PASSWORD",
            "ssl.endpoint.identification.algorithm": "KAFKA_SSL_ENDPOINT_IDENTIFICATION",
        ]
        guard let variable = variables[property] else { return property }
        return "\(variable), librdkafka \(property)"
    }

    private static func fileRole(_ property: String) -> String {
        switch property {
        case "ssl.ca.location": "CA"
        case "ssl.certificate.location": "client certificate"
        default: "client key"
        }
    }

    /// Why `path` cannot be used as a TLS file, or `nil` when it exists and is readable.
    private static func fileProblem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT || errno == ENOTDIR ? "does not exist" : "cannot be read (\(String(cString: strerror(errno))))"
        }
        guard access(path, R_OK) == 0 else { return "is not readable by this process (\(String(cString: strerror(errno))))" }
        return nil
    }
}
